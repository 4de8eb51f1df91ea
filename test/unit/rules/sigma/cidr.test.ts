import { cidrContains, parseCidr, parseIpAddress } from '../../../../lib/rules/sigma/cidr';

describe('cidr: IPv4 and IPv6 networks', () => {
  it.each([
    ['10.0.0.0/8', '10.255.1.2', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['192.0.2.0/24', '192.0.2.255', true],
    ['192.0.2.0/24', '192.0.3.0', false],
    ['198.51.100.7', '198.51.100.7', true], // a bare address is a /32
    ['198.51.100.7', '198.51.100.8', false],
    ['10.1.2.3/8', '10.9.9.9', true], // host bits in the network are cleared
    ['0.0.0.0/0', '203.0.113.9', true],
    ['0.0.0.0/0', '2001:db8::1', false], // families never mix
    ['2001:db8::/32', '2001:DB8:0:1::5', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['2001:db8:abcd:12::/64', '2001:db8:abcd:12:ffff:ffff:ffff:ffff', true],
    ['2001:db8:abcd:12::/64', '2001:db8:abcd:13::', false],
    ['::/0', '::1', true],
    ['fe80::/10', 'febf::1', true],
    ['fe80::/10', 'fec0::1', false],
    ['::ffff:0:0/96', '::ffff:10.0.0.1', true], // an embedded IPv4 address is IPv6
    ['10.0.0.0/8', '::ffff:10.0.0.1', false],
    ['10.0.0.0/8', 'AWS Internal', false], // CloudTrail's non-address sourceIPAddress values
    ['10.0.0.0/8', 'ec2.amazonaws.com', false],
    ['10.0.0.0/8', '010.0.0.1', false], // leading zeros: ambiguous octal, not an address
    ['2001:db8::/32', '2001:db8::1%eth0', false], // zone ids are not CloudTrail addresses
  ])('%s contains %s: %s', (network, address, expected) => {
    // Prepare
    const parsed = parseCidr(network);

    // Act
    const result = parsed !== undefined && cidrContains(parsed, address);

    // Assess
    expect(parsed).toBeDefined();
    expect(result).toBe(expected);
  });

  it.each([['10.0.0.0/33'], ['10.0.0/8'], ['256.0.0.0/8'], ['2001:db8::/129'], ['1::2::3'], ['10.0.0.0/08'], ['x'], [''], ['1:2:3:4:5:6:7:8:9'], ['::1/']])(
    'refuses %j as a network',
    (text) => {
      expect(parseCidr(text)).toBeUndefined();
    },
  );

  it('reads the IPv6 text forms to the same groups', () => {
    // Prepare
    const forms = ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1', '2001:DB8:0000:0000:0000:0000:0002:0001', '2001:db8:0:0:0:0:0.2.0.1'];

    // Act
    const groups = forms.map((f) => parseIpAddress(f)?.groups);

    // Assess
    for (const g of groups) expect(g).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 2, 1]);
  });
});

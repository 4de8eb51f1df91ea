import fc from 'fast-check';
import { classifyKey } from '../../../lib/cloudtrail/classify';
import type { KeyKind } from '../../../lib/cloudtrail/classify';
import { cpuTime } from '../../cpu-time';

const ACCOUNT = '111122223333';
const LOG_FILE = `${ACCOUNT}_CloudTrail_us-east-1_20250314T0905Z_Ab3dE6gH9jK2mN5p.json.gz`;
const LOG_KEY = `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2025/03/14/${LOG_FILE}`;
const KINDS: readonly KeyKind[] = ['log', 'insight', 'digest', 'network-activity', 'aggregated', 'config-check', 'other'];

describe('classifyKey: files it reads', () => {
  it('reads a log file and takes account, region and delivery time from it', () => {
    // Act
    const result = classifyKey(LOG_KEY);

    // Assess
    expect(result).toEqual({
      kind: 'log',
      process: true,
      reason: expect.stringContaining('log file'),
      accountId: ACCOUNT,
      region: 'us-east-1',
      deliveredAt: new Date(Date.UTC(2025, 2, 14, 9, 5)),
    });
  });

  it("reads an organization trail's log file", () => {
    // Prepare
    const key = 'AWSLogs/o-a1b2c3d4e5/444455556666/CloudTrail/ap-southeast-2/2025/03/14/444455556666_CloudTrail_ap-southeast-2_20250314T2355Z_Vw2Xy5Za8Bc1De4F.json.gz';

    // Act
    const result = classifyKey(key);

    // Assess
    expect(result).toMatchObject({ kind: 'log', process: true, organizationId: 'o-a1b2c3d4e5', accountId: '444455556666', region: 'ap-southeast-2' });
    expect(result.deliveredAt).toEqual(new Date(Date.UTC(2025, 2, 14, 23, 55)));
  });

  it.each([
    ['one part', 'trails', 'trails'],
    ['several parts', 'org/security/trails', 'org/security/trails'],
    ['a part named AWSLogs', 'AWSLogs', 'AWSLogs'],
    ['an AWSLogs/<account> path of its own', `archive/AWSLogs/${ACCOUNT}/old`, `archive/AWSLogs/${ACCOUNT}/old`],
    ['an empty part (leading slash)', '', ''],
  ])('keeps a prefix with %s', (_name, prefix, expected) => {
    // Act
    const result = classifyKey(`${prefix}/${LOG_KEY}`);

    // Assess
    expect(result).toMatchObject({ kind: 'log', process: true, prefix: expected, accountId: ACCOUNT });
  });

  it('keeps the prefix and organization of an organization trail together', () => {
    // Act
    const result = classifyKey(`org/trails/AWSLogs/o-exampleorgid1/${ACCOUNT}/CloudTrail/us-east-1/2025/03/14/${LOG_FILE}`);

    // Assess
    expect(result).toMatchObject({ kind: 'log', prefix: 'org/trails', organizationId: 'o-exampleorgid1', accountId: ACCOUNT });
  });

  it.each(['us-gov-west-1', 'cn-northwest-1', 'ap-southeast-5', 'il-central-1', 'us-isob-east-1'])('reads a log file of Region %s', (region) => {
    // Prepare
    const key = `AWSLogs/${ACCOUNT}/CloudTrail/${region}/2025/03/14/${ACCOUNT}_CloudTrail_${region}_20250314T0905Z_x1.json.gz`;

    // Act
    const result = classifyKey(key);

    // Assess
    expect(result).toMatchObject({ kind: 'log', process: true, region });
  });

  it('reads an Insights events file', () => {
    // Prepare
    const key = `AWSLogs/${ACCOUNT}/CloudTrail-Insight/eu-west-1/2025/03/14/${ACCOUNT}_CloudTrail-Insight_eu-west-1_20250314T1130Z_9kLmNoPqRsTuVwXy.json.gz`;

    // Act
    const result = classifyKey(key);

    // Assess
    expect(result).toEqual({
      kind: 'insight',
      process: true,
      reason: expect.stringContaining('Insights'),
      accountId: ACCOUNT,
      region: 'eu-west-1',
      deliveredAt: new Date(Date.UTC(2025, 2, 14, 11, 30)),
    });
  });
});

describe('classifyKey: files it skips, with a reason', () => {
  it('skips a digest file, taking the time from the end of its name', () => {
    // Prepare: trail names may hold underscores and digits.
    const key = `AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/2025/03/14/${ACCOUNT}_CloudTrail-Digest_us-east-1_org_trail_20250101T0000Z_us-east-1_20250314T100512Z.json.gz`;

    // Act
    const result = classifyKey(key);

    // Assess
    expect(result).toEqual({
      kind: 'digest',
      process: false,
      reason: expect.stringContaining('digest'),
      accountId: ACCOUNT,
      region: 'us-east-1',
      deliveredAt: new Date(Date.UTC(2025, 2, 14, 10, 5, 12)),
    });
  });

  it("skips an organization trail's digest file under a prefix", () => {
    // Prepare
    const key = `p/AWSLogs/o-a1b2c3d4e5/${ACCOUNT}/CloudTrail-Digest/eu-west-1/2025/03/14/${ACCOUNT}_CloudTrail-Digest_eu-west-1_org-trail_us-east-1_20250314T100512Z.json.gz`;

    // Act
    const result = classifyKey(key);

    // Assess
    expect(result).toMatchObject({ kind: 'digest', process: false, prefix: 'p', organizationId: 'o-a1b2c3d4e5', region: 'eu-west-1' });
  });

  it('skips network activity events', () => {
    // Prepare
    const key = `AWSLogs/${ACCOUNT}/CloudTrail-NetworkActivity/us-east-1/2025/03/14/${ACCOUNT}_CloudTrail-NetworkActivity_us-east-1_20250314T0905Z_Ab3dE6gH9jK2mN5p.json.gz`;

    // Act
    const result = classifyKey(key);

    // Assess
    expect(result).toEqual({
      kind: 'network-activity',
      process: false,
      reason: expect.stringContaining('CloudTrail-NetworkActivity/'),
      accountId: ACCOUNT,
      region: 'us-east-1',
      deliveredAt: new Date(Date.UTC(2025, 2, 14, 9, 5)),
    });
  });

  it('skips aggregated events whatever their file name', () => {
    // Prepare
    const key = `AWSLogs/${ACCOUNT}/CloudTrail-Aggregated/us-west-2/2025/03/14/some-other-format.json`;

    // Act
    const result = classifyKey(key);

    // Assess
    expect(result).toEqual({
      kind: 'aggregated',
      process: false,
      reason: expect.stringContaining('CloudTrail-Aggregated/'),
      accountId: ACCOUNT,
      region: 'us-west-2',
    });
  });

  it.each([
    ['under AWSLogs/<account>/Config/', `AWSLogs/${ACCOUNT}/Config/ConfigWritabilityCheckFile`, { accountId: ACCOUNT }],
    ['bare under a prefix', 'cloudtrail/ConfigWritabilityCheckFile', {}],
    ['bare at the top', 'ConfigWritabilityCheckFile', {}],
  ])('recognises the AWS Config probe %s', (_name, key, fields) => {
    // Act
    const result = classifyKey(key);

    // Assess
    expect(result).toEqual({ kind: 'config-check', process: false, reason: expect.stringContaining('ConfigWritabilityCheckFile'), ...fields });
  });

  it('skips AWS Config deliveries that share the bucket', () => {
    // Prepare
    const key = `AWSLogs/${ACCOUNT}/Config/us-east-1/2025/3/14/ConfigHistory/${ACCOUNT}_Config_us-east-1_ConfigHistory_AWS::S3::Bucket_20250314T090512Z_20250314T090512Z_1.json.gz`;

    // Act
    const result = classifyKey(key);

    // Assess
    expect(result).toEqual({ kind: 'other', process: false, reason: expect.stringContaining('AWS Config'), accountId: ACCOUNT });
  });
});

describe('classifyKey: keys that do not hold together are "other", saying what did not match', () => {
  const folder = `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2025/03/14`;

  it.each([
    ['the account in the file name', `${folder}/444455556666_CloudTrail_us-east-1_20250314T0905Z_Ab3d.json.gz`, /account in the file name \("444455556666"\) differs/],
    ['the region in the file name', `${folder}/${ACCOUNT}_CloudTrail_eu-west-1_20250314T0905Z_Ab3d.json.gz`, /region in the file name \("eu-west-1"\) differs/],
    ['the day folder', `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2025/03/15/${LOG_FILE}`, /date in the file name \(2025\/03\/14\) differs from the date folders \(2025\/03\/15\)/],
    ['the month folder', `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2025/04/14/${LOG_FILE}`, /differs from the date folders \(2025\/04\/14\)/],
    ['the year folder', `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2024/03/14/${LOG_FILE}`, /differs from the date folders \(2024\/03\/14\)/],
    ['the .json.gz suffix', `${folder}/${ACCOUNT}_CloudTrail_us-east-1_20250314T0905Z_Ab3d.json`, /does not end in \.json\.gz/],
    ['a temporary suffix', `${folder}/${LOG_FILE}.tmp`, /does not end in \.json\.gz/],
    ['the file-name folder token', `${folder}/${ACCOUNT}_CloudTrail-Digest_us-east-1_20250314T0905Z_Ab3d.json.gz`, /is not <account>_CloudTrail_<region>/],
    ['a missing unique part', `${folder}/${ACCOUNT}_CloudTrail_us-east-1_20250314T0905Z.json.gz`, /is not <account>_CloudTrail_<region>/],
    ['the time format', `${folder}/${ACCOUNT}_CloudTrail_us-east-1_20250314T090512Z_Ab3d.json.gz`, /time in the file name \("20250314T090512Z"\) is not YYYYMMDDTHHmmZ/],
    ['a real date', `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2025/02/30/${ACCOUNT}_CloudTrail_us-east-1_20250230T0905Z_Ab3d.json.gz`, /is not a valid UTC time/],
    ['a real hour', `${folder}/${ACCOUNT}_CloudTrail_us-east-1_20250314T2405Z_Ab3d.json.gz`, /is not a valid UTC time/],
    ['the region folder', `AWSLogs/${ACCOUNT}/CloudTrail/US-EAST-1/2025/03/14/${ACCOUNT}_CloudTrail_US-EAST-1_20250314T0905Z_Ab3d.json.gz`, /region folder "US-EAST-1" is not an AWS Region code/],
    ['the date folders', `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2025/3/14/${ACCOUNT}_CloudTrail_us-east-1_20250314T0905Z_Ab3d.json.gz`, /date folders "2025\/3\/14" are not YYYY\/MM\/DD/],
    ['the depth (day folder missing)', `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2025/03/${LOG_FILE}`, /found 4 path part\(s\)/],
    ['the depth (extra folder)', `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2025/03/14/extra/${LOG_FILE}`, /found 6 path part\(s\)/],
    ['a folder marker', `AWSLogs/${ACCOUNT}/CloudTrail/`, /found 1 path part\(s\)/],
    ['an Insights file name in the Insights folder', `AWSLogs/${ACCOUNT}/CloudTrail-Insight/us-east-1/2025/03/14/${LOG_FILE}`, /is not <account>_CloudTrail-Insight_<region>/],
  ])('checks %s', (_name, key, reason) => {
    // Act
    const result = classifyKey(key);

    // Assess
    expect(result.kind).toBe('other');
    expect(result.process).toBe(false);
    expect(result.reason).toMatch(reason);
    expect(result.deliveredAt).toBeUndefined();
  });

  it('still says whose key a mismatching one is', () => {
    // Act
    const result = classifyKey(`logs/AWSLogs/o-a1b2c3d4e5/${ACCOUNT}/CloudTrail/us-east-1/2025/03/15/${LOG_FILE}`);

    // Assess
    expect(result).toMatchObject({ kind: 'other', prefix: 'logs', organizationId: 'o-a1b2c3d4e5', accountId: ACCOUNT, region: 'us-east-1' });
  });

  it.each([
    ['an empty key', '', /no AWSLogs\/ folder/],
    ['an unrelated object', 'reports/2025/03/summary.csv', /no AWSLogs\/ folder/],
    ['S3 server access logs', 'access-logs/2025-03-14-09-05-41-C3D13FE58DE4C810', /no AWSLogs\/ folder/],
    ['an 11-digit account', `AWSLogs/11112222333/CloudTrail/us-east-1/2025/03/14/${LOG_FILE}`, /not followed by <account>\/<folder>\//],
    ['an AWSLogs folder with nothing after the account', `AWSLogs/${ACCOUNT}`, /not followed by <account>\/<folder>\//],
    ['a malformed organization ID', `AWSLogs/o-SHOUT/${ACCOUNT}/CloudTrail/us-east-1/2025/03/14/${LOG_FILE}`, /not followed by <account>\/<folder>\//],
    ['a foreign service folder', `AWSLogs/${ACCOUNT}/elasticloadbalancing/us-east-1/2025/03/14/x.log.gz`, /folder "elasticloadbalancing" .* is not a CloudTrail folder/],
    ['a lower-case CloudTrail folder', `AWSLogs/${ACCOUNT}/cloudtrail/us-east-1/2025/03/14/${LOG_FILE}`, /folder "cloudtrail" .* is not a CloudTrail folder/],
    ['a folder named like an Object.prototype member', `AWSLogs/${ACCOUNT}/constructor/x`, /folder "constructor" .* is not a CloudTrail folder/],
  ])('rejects %s', (_name, key, reason) => {
    // Act
    const result = classifyKey(key);

    // Assess
    expect(result).toMatchObject({ kind: 'other', process: false });
    expect(result.reason).toMatch(reason);
  });

  it('escapes control characters and cuts long parts in reasons', () => {
    // Prepare
    const folderName = `evil\n${'x'.repeat(200)}`;

    // Act
    const result = classifyKey(`AWSLogs/${ACCOUNT}/${folderName}/file`);

    // Assess
    expect(result.reason).toContain('"evil\\nxxx');
    expect(result.reason).not.toContain('\n');
    expect(result.reason.length).toBeLessThan(200);
  });
});

describe('classifyKey: properties', () => {
  const REGIONS = ['us-east-1', 'eu-west-3', 'ap-northeast-2', 'us-gov-east-1', 'cn-north-1', 'me-central-1'];
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  const segment = fc.stringMatching(/^[A-Za-z0-9!_.*'()-]{1,12}$/);

  it('classifies every well-formed log key as a log whose fields match the key', () => {
    fc.assert(
      fc.property(
        fc.array(segment, { maxLength: 4 }),
        fc.option(fc.stringMatching(/^[a-z0-9]{10,32}$/), { nil: undefined }),
        fc.stringMatching(/^\d{12}$/),
        fc.constantFrom(...REGIONS),
        fc.date({ min: new Date(Date.UTC(2013, 10, 1)), max: new Date(Date.UTC(2099, 11, 31)), noInvalidDate: true }),
        fc.stringMatching(/^[A-Za-z0-9]{16}$/),
        fc.constantFrom('CloudTrail', 'CloudTrail-Insight'),
        (prefixParts, org, account, region, date, unique, folder) => {
          // Prepare
          const [y, mo, d, h, mi] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes()];
          const stamp = `${pad(y, 4)}${pad(mo, 2)}${pad(d, 2)}T${pad(h, 2)}${pad(mi, 2)}Z`;
          const organization = org === undefined ? [] : [`o-${org}`];
          const key = [
            ...prefixParts,
            'AWSLogs',
            ...organization,
            account,
            folder,
            region,
            pad(y, 4),
            pad(mo, 2),
            pad(d, 2),
            `${account}_${folder}_${region}_${stamp}_${unique}.json.gz`,
          ].join('/');

          // Act
          const result = classifyKey(key);

          // Assess
          expect(result).toEqual({
            kind: folder === 'CloudTrail' ? 'log' : 'insight',
            process: true,
            reason: expect.any(String),
            ...(prefixParts.length > 0 ? { prefix: prefixParts.join('/') } : {}),
            ...(org === undefined ? {} : { organizationId: `o-${org}` }),
            accountId: account,
            region,
            deliveredAt: new Date(Date.UTC(y, mo - 1, d, h, mi)),
          });
        },
      ),
    );
  });

  const wellFormed = (result: ReturnType<typeof classifyKey>) => {
    expect(KINDS).toContain(result.kind);
    expect(result.process).toBe(result.kind === 'log' || result.kind === 'insight');
    expect(typeof result.reason).toBe('string');
    expect(result.reason.length).toBeGreaterThan(0);
    if (result.deliveredAt !== undefined) expect(Number.isNaN(result.deliveredAt.getTime())).toBe(false);
  };

  it('returns a well-formed KeyClass for any string, never throwing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 1100 }), (key) => {
        // Act
        const result = classifyKey(key);

        // Assess
        wellFormed(result);
      }),
    );
  });

  it('returns a well-formed KeyClass for near-miss CloudTrail paths, never throwing', () => {
    const part = fc.oneof(
      fc.constantFrom('AWSLogs', ACCOUNT, 'o-a1b2c3d4e5', 'CloudTrail', 'CloudTrail-Insight', 'CloudTrail-Digest', 'Config', 'us-east-1', '2025', '03', '14', '', LOG_FILE, 'ConfigWritabilityCheckFile'),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 14 }), (parts) => {
        // Act
        const result = classifyKey(parts.join('/'));

        // Assess
        wellFormed(result);
      }),
      { numRuns: 1000 },
    );
  });

  it('stays linear on long adversarial keys', () => {
    // Prepare: inputs that would make a backtracking pattern over the whole key explode.
    const keys = [
      'AWSLogs/'.repeat(50_000),
      `AWSLogs/${ACCOUNT}/CloudTrail/us${'-a'.repeat(100_000)}!/2025/03/14/${LOG_FILE}`,
      `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2025/03/14/${'1_'.repeat(100_000)}.json.gz`,
      `AWSLogs/o-${'a'.repeat(100_000)}/${ACCOUNT}/CloudTrail/x`,
      `${'/'.repeat(200_000)}${LOG_KEY}`,
    ];

    // Act
    const { result: results, ms } = cpuTime(() => keys.map((key) => classifyKey(key)));

    // Assess: a generous bound on CPU time (not wall time: a loaded machine must not fail
    // this); a catastrophic pattern would take minutes.
    results.forEach(wellFormed);
    expect(results.map((result) => result.kind)).toEqual(['other', 'other', 'other', 'other', 'log']);
    expect(ms).toBeLessThan(2_000);
  });
});

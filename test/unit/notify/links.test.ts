import { cloudTrailEventUrl, consoleOrigin, insightsQuery, logsInsightsUrl } from '../../../lib/notify/links';

const EVENT_ID = '6f1d3a52-8c1e-4a3b-9d55-2b7e0c4d9a10';

/** The queryDetail value inside a Logs Insights URL, with the console's `*xx` bytes decoded per string. */
function decodeDetail(url: string): Record<string, string> {
  const detail = url.split('logs-insights$3FqueryDetail$3D')[1] ?? '';
  const decode = (text: string): string =>
    Buffer.from(text.replace(/\*([0-9a-f]{2})/g, '%$1').replace(/%([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  const fields: Record<string, string> = {};
  for (const match of detail.matchAll(/[~(](end|start|timeType|tz|editorString)~'([^~)]*)/g)) fields[match[1]!] = decode(match[2]!);
  const source = /~source~\(~'([^)]*)\)/.exec(detail);
  if (source) fields.source = decode(source[1]!);
  return fields;
}

describe('consoleOrigin', () => {
  it.each([
    ['us-east-1', 'https://us-east-1.console.aws.amazon.com'],
    ['ap-southeast-2', 'https://ap-southeast-2.console.aws.amazon.com'],
    ['cn-north-1', 'https://cn-north-1.console.amazonaws.cn'],
    ['us-gov-west-1', 'https://console.amazonaws-us-gov.com'],
  ])('maps %s to its partition console', (region, origin) => {
    // Act
    const result = consoleOrigin(region);

    // Assess
    expect(result).toBe(origin);
  });

  it.each([['us-east-1.evil.example/#'], ['evil.example'], [''], ['US-EAST-1'], ['us-east-1\n']])('refuses %j as a region', (region) => {
    // Act
    const result = consoleOrigin(region);

    // Assess
    expect(result).toBeUndefined();
  });
});

describe('cloudTrailEventUrl', () => {
  it('opens the event in the event history of the region that recorded it', () => {
    // Act
    const url = cloudTrailEventUrl('eu-central-1', EVENT_ID);

    // Assess
    expect(url).toBe(`https://eu-central-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-central-1#/events/${EVENT_ID}`);
  });

  it.each([['../../etc/passwd'], ['a b'], ['<script>'], ['x'.repeat(129)]])('gives no link for the event id %j', (eventId) => {
    // Act
    const url = cloudTrailEventUrl('us-east-1', eventId);

    // Assess
    expect(url).toBeUndefined();
  });
});

describe('logsInsightsUrl', () => {
  it('fills in the group, the query and the absolute time range, every byte outside [A-Za-z0-9._-] encoded', () => {
    // Prepare
    const query = insightsQuery('111122223333_CloudTrail_us-east-1');
    const start = new Date('2026-01-15T11:53:00.000Z');
    const end = new Date('2026-01-15T12:04:00.000Z');

    // Act
    const url = logsInsightsUrl({ region: 'us-east-1', logGroup: '/trailwatch/cloudtrail', query, start, end });

    // Assess
    expect(url).toMatch(/^https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=us-east-1#logsV2:logs-insights\$3FqueryDetail\$3D~\(/);
    expect(url).toMatch(/^[\x21-\x7e]+$/);
    expect(decodeDetail(url!)).toEqual({
      end: end.toISOString(),
      start: start.toISOString(),
      timeType: 'ABSOLUTE',
      tz: 'UTC',
      editorString: query,
      source: '/trailwatch/cloudtrail',
    });
  });

  it('encodes the characters the console uses as syntax', () => {
    // Act
    const url = logsInsightsUrl({
      region: 'us-east-1',
      logGroup: "g~'()!*",
      query: 'é',
      start: new Date(0),
      end: new Date(60_000),
    });

    // Assess
    expect(url).toContain("~source~(~'g*7e*27*28*29*21*2a))");
    expect(url).toContain("editorString~'*c3*a9~");
  });

  it('gives no link for a region that is not one', () => {
    // Act
    const url = logsInsightsUrl({ region: 'evil.example', logGroup: '/g', query: 'q', start: new Date(0), end: new Date(1) });

    // Assess
    expect(url).toBeUndefined();
  });
});

describe('insightsQuery', () => {
  it('quotes the stream name as a Logs Insights string', () => {
    // Act
    const query = insightsQuery('a"b\\c');

    // Assess
    expect(query.split('\n')[1]).toBe('| filter @logStream = "a\\"b\\\\c"');
  });

  it('queries the whole group when the stream is unknown', () => {
    // Act
    const query = insightsQuery(undefined);

    // Assess
    expect(query).not.toContain('@logStream =');
  });
});

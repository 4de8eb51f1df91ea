import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  type InputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchLogsServer, type Fault } from '../../testkit/cloudwatch-logs-server';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const GROUP = '/trailwatch/test';
const STREAM = '123456789012_CloudTrail_us-east-1';

let server: CloudWatchLogsServer;
let client: CloudWatchLogsClient;

beforeAll(async () => {
  server = await CloudWatchLogsServer.start({ now: () => NOW });
  client = makeClient(1);
});

afterEach(() => server.reset());

afterAll(async () => {
  client.destroy();
  await server.stop();
});

function makeClient(maxAttempts: number): CloudWatchLogsClient {
  return new CloudWatchLogsClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts,
  });
}

async function createStream(group = GROUP, stream = STREAM): Promise<void> {
  if (!server.groups().includes(group)) await client.send(new CreateLogGroupCommand({ logGroupName: group }));
  await client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
}

function put(logEvents: InputLogEvent[], group = GROUP, stream = STREAM) {
  return client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents }));
}

/** The SDK error a promise rejects with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

/** `count` events `stepMs` apart starting at `start`, messages `m<i>`. */
function series(count: number, start = NOW - HOUR, stepMs = 1): InputLogEvent[] {
  return Array.from({ length: count }, (_, i) => ({ timestamp: start + i * stepMs, message: `m${i}` }));
}

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

describe('log groups and streams', () => {
  it('stores put events and reads them back through GetLogEvents and the inspection API', async () => {
    // Prepare
    await createStream();
    const events = [
      { timestamp: NOW - 2 * HOUR, message: '{"eventName":"ConsoleLogin"}' },
      { timestamp: NOW - HOUR, message: 'ünïcödé ✓' },
    ];

    // Act
    const result = await put(events);
    const read = await client.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM, startFromHead: true }));

    // Assess
    expect(result.rejectedLogEventsInfo).toBeUndefined();
    expect(read.events?.map(({ timestamp, message, ingestionTime }) => ({ timestamp, message, ingestionTime }))).toEqual(
      events.map((event) => ({ ...event, ingestionTime: NOW })),
    );
    expect(server.events(GROUP, STREAM)).toEqual(events.map((event) => ({ ...event, ingestionTime: NOW })));
    expect(server.groups()).toEqual([GROUP]);
    expect(server.streams(GROUP)).toEqual([STREAM]);
  });

  it('describes groups and streams, filtered by prefix', async () => {
    // Prepare
    await createStream(GROUP, 'alpha-1');
    await createStream(GROUP, 'alpha-2');
    await createStream(GROUP, 'beta');
    await createStream('/other', 'x');
    await put([{ timestamp: NOW - 5000, message: 'a' }, { timestamp: NOW - 1000, message: 'b' }], GROUP, 'alpha-2');

    // Act
    const streams = await client.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, logStreamNamePrefix: 'alpha' }));
    const groups = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/trail' }));

    // Assess
    expect(streams.logStreams?.map((s) => s.logStreamName)).toEqual(['alpha-1', 'alpha-2']);
    expect(streams.logStreams?.[1]).toMatchObject({ firstEventTimestamp: NOW - 5000, lastEventTimestamp: NOW - 1000, lastIngestionTime: NOW, creationTime: NOW });
    expect(groups.logGroups?.map((g) => g.logGroupName)).toEqual([GROUP]);
    expect(groups.logGroups?.[0]?.arn).toBe(`arn:aws:logs:us-east-1:123456789012:log-group:${GROUP}:*`);
  });

  it('refuses to create a group or stream twice', async () => {
    // Prepare
    await createStream();

    // Act
    const group = await failure(client.send(new CreateLogGroupCommand({ logGroupName: GROUP })));
    const stream = await failure(client.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: STREAM })));

    // Assess
    expect(group.name).toBe('ResourceAlreadyExistsException');
    expect(stream.name).toBe('ResourceAlreadyExistsException');
  });

  it('reports a missing group and a missing stream with different messages', async () => {
    // Prepare
    await client.send(new CreateLogGroupCommand({ logGroupName: GROUP }));

    // Act
    const noGroup = await failure(put(series(1), '/missing', STREAM));
    const noStream = await failure(put(series(1), GROUP, 'missing'));
    const createInMissingGroup = await failure(client.send(new CreateLogStreamCommand({ logGroupName: '/missing', logStreamName: 's' })));

    // Assess
    expect(noGroup.name).toBe('ResourceNotFoundException');
    expect(noGroup.message).toBe('The specified log group does not exist.');
    expect(noStream.name).toBe('ResourceNotFoundException');
    expect(noStream.message).toBe('The specified log stream does not exist.');
    expect(createInMissingGroup.name).toBe('ResourceNotFoundException');
  });

  it.each([
    ['empty', ''],
    ['reserved aws/ prefix', 'aws/lambda'],
    ['space', 'bad name'],
    ['colon', 'bad:name'],
    ['513 characters', 'g'.repeat(513)],
  ])('rejects a group name that is %s', async (_, name) => {
    // Act
    const error = await failure(client.send(new CreateLogGroupCommand({ logGroupName: name })));

    // Assess
    expect(error.name).toBe('InvalidParameterException');
    expect(server.groups()).toEqual([]);
  });

  it('accepts group names at the edge of the rules', async () => {
    // Prepare
    const names = ['g'.repeat(512), '.-_/#AZaz09', 'awsx/ok'];

    // Act
    for (const name of names) await client.send(new CreateLogGroupCommand({ logGroupName: name }));

    // Assess
    expect(server.groups()).toEqual([...names].sort());
  });

  it.each([
    ['empty', ''],
    ['with a colon', 'a:b'],
    ['with an asterisk', 'a*b'],
    ['513 characters', 's'.repeat(513)],
  ])('rejects a stream name %s', async (_, name) => {
    // Prepare
    await client.send(new CreateLogGroupCommand({ logGroupName: GROUP }));

    // Act
    const error = await failure(client.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: name })));

    // Assess
    expect(error.name).toBe('InvalidParameterException');
    expect(server.streams(GROUP)).toEqual([]);
  });

  it('accepts stream names at the edge of the rules', async () => {
    // Prepare
    const names = ['s'.repeat(512), 'any thing/é[$LATEST]#?'];

    // Act
    for (const name of names) await createStream(GROUP, name);

    // Assess
    expect(server.streams(GROUP)).toEqual([...names].sort());
  });
});

describe('PutLogEvents batch rules (whole call fails)', () => {
  beforeEach(() => createStream());

  it('accepts a batch of exactly 1,048,576 bytes counting 26 per event, and rejects one byte more', async () => {
    // Prepare: 16 events × (65,510 message bytes + 26) = 1,048,576; '€' is 3 UTF-8 bytes.
    const message = '€'.repeat(21_836) + 'ab';
    expect(utf8(message)).toBe(65_510);
    const exact = series(16).map((event) => ({ ...event, message }));
    const over = exact.map((event, i) => (i === 15 ? { ...event, message: `${message}c` } : event));

    // Act
    const accepted = await put(exact);
    const rejected = await failure(put(over));

    // Assess
    expect(accepted.rejectedLogEventsInfo).toBeUndefined();
    expect(rejected.name).toBe('InvalidParameterException');
    expect(rejected.message).toContain('1048577');
    expect(server.events(GROUP, STREAM)).toHaveLength(16);
    expect(server.calls('PutLogEvents').map((call) => [call.status, call.bytes])).toEqual([
      [200, 1_048_576],
      [400, 1_048_577],
    ]);
  });

  it('accepts 10,000 events and rejects 10,001', async () => {
    // Prepare
    const max = series(10_000);
    const tooMany = series(10_001);

    // Act
    await put(max);
    const error = await failure(put(tooMany));

    // Assess
    expect(error.name).toBe('InvalidParameterException');
    expect(server.events(GROUP, STREAM)).toHaveLength(10_000);
    expect(server.calls('PutLogEvents').map((call) => call.eventCount)).toEqual([10_000, 10_001]);
  });

  it('rejects an empty batch and an empty message', async () => {
    // Act
    const none = await failure(put([]));
    const empty = await failure(put([{ timestamp: NOW, message: '' }]));

    // Assess
    expect(none.name).toBe('InvalidParameterException');
    expect(empty.name).toBe('InvalidParameterException');
    expect(server.events(GROUP, STREAM)).toEqual([]);
  });

  it('accepts one event of 1,048,550 message bytes and rejects one of 1,048,551', async () => {
    // Prepare
    const largest = 'x'.repeat(1_048_576 - 26);

    // Act
    await put([{ timestamp: NOW, message: largest }]);
    const error = await failure(put([{ timestamp: NOW, message: `${largest}x` }]));

    // Assess
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toMatch(/^Log event too large/);
    expect(server.events(GROUP, STREAM)).toHaveLength(1);
  });

  it('rejects events out of chronological order but accepts equal timestamps', async () => {
    // Prepare
    const tied = [{ timestamp: NOW - 10, message: 'a' }, { timestamp: NOW - 10, message: 'b' }];
    const backwards = [{ timestamp: NOW - 10, message: 'c' }, { timestamp: NOW - 11, message: 'd' }];

    // Act
    await put(tied);
    const error = await failure(put(backwards));

    // Assess
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toBe('Log events in a single PutLogEvents request must be in chronological order.');
    expect(server.events(GROUP, STREAM).map((event) => event.message)).toEqual(['a', 'b']);
  });

  it('regression (issue 9 item 8): refuses the whole call for one negative timestamp, as AWS does (Timestamp: long, min 0)', async () => {
    // Prepare: an event from 1969 before two within the same second (a span and order the
    // call may have); then 0, the epoch itself, alone
    const withNegative = [{ timestamp: -1000, message: '1969' }, { timestamp: 0, message: 'epoch' }, { timestamp: 1, message: '1970' }];

    // Act
    const error = await failure(put(withNegative));
    const epoch = await put([{ timestamp: 0, message: 'epoch' }]);

    // Assess: a validation error for the call, not a per-event tooOld rejection
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toBe(
      "1 validation error detected: Value '-1000' at 'logEvents.1.member.timestamp' failed to satisfy constraint: Member must have value greater than or equal to 0",
    );
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(epoch.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1 });
    expect(server.events(GROUP, STREAM)).toEqual([]);
    expect(server.calls('PutLogEvents').map((call) => call.status)).toEqual([400, 200]);
  });

  it('checks timestamps before the group exists, as model validation comes first', async () => {
    const error = await failure(put([{ timestamp: -1, message: 'x' }], '/missing', STREAM));
    expect(error.name).toBe('InvalidParameterException');
  });

  it('accepts a span of exactly 24 h and rejects 24 h + 1 ms', async () => {
    // Prepare
    const exact = [{ timestamp: NOW - DAY, message: 'first' }, { timestamp: NOW, message: 'last' }];
    const over = [{ timestamp: NOW - DAY - 1, message: 'first' }, { timestamp: NOW, message: 'last' }];

    // Act
    await put(exact);
    const error = await failure(put(over));

    // Assess
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toContain('24 hours');
    expect(server.events(GROUP, STREAM)).toHaveLength(2);
  });

  it('ignores sequence tokens and accepts parallel calls to one stream', async () => {
    // Prepare
    const batches = Array.from({ length: 8 }, (_, b) => series(50, NOW - HOUR + b * 100));

    // Act
    const results = await Promise.all(
      batches.map((logEvents) =>
        client.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM, logEvents, sequenceToken: 'stale' })),
      ),
    );

    // Assess
    expect(results.every((result) => result.rejectedLogEventsInfo === undefined)).toBe(true);
    expect(server.events(GROUP, STREAM)).toHaveLength(400);
  });
});

describe('PutLogEvents per-event rejections (call succeeds)', () => {
  beforeEach(() => createStream());

  it('drops events older than 14 days; tooOldLogEventEndIndex is the exclusive end', async () => {
    // Prepare
    const events = [
      { timestamp: NOW - 14 * DAY - 2, message: 'old-0' },
      { timestamp: NOW - 14 * DAY - 1, message: 'old-1' },
      { timestamp: NOW - 14 * DAY, message: 'kept-2' },
      { timestamp: NOW - 14 * DAY + HOUR, message: 'kept-3' },
    ];

    // Act
    const result = await put(events);

    // Assess
    expect(result.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 2 });
    expect(server.events(GROUP, STREAM).map((event) => event.message)).toEqual(['kept-2', 'kept-3']);
  });

  it('drops events more than 2 h in the future; tooNewLogEventStartIndex is the first of them', async () => {
    // Prepare
    const events = [
      { timestamp: NOW + HOUR, message: 'kept-0' },
      { timestamp: NOW + 2 * HOUR, message: 'kept-1' },
      { timestamp: NOW + 2 * HOUR + 1, message: 'new-2' },
      { timestamp: NOW + 3 * HOUR, message: 'new-3' },
    ];

    // Act
    const result = await put(events);

    // Assess
    expect(result.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 2 });
    expect(server.events(GROUP, STREAM).map((event) => event.message)).toEqual(['kept-0', 'kept-1']);
  });

  it("drops events older than the group's retention; expiredLogEventEndIndex is the exclusive end", async () => {
    // Prepare
    await client.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 3 }));
    const events = [
      { timestamp: NOW - 3 * DAY - 2, message: 'expired-0' },
      { timestamp: NOW - 3 * DAY - 1, message: 'expired-1' },
      { timestamp: NOW - 3 * DAY, message: 'kept-2' },
      { timestamp: NOW - 3 * DAY + HOUR, message: 'kept-3' },
    ];

    // Act
    const result = await put(events);

    // Assess
    expect(result.rejectedLogEventsInfo).toEqual({ expiredLogEventEndIndex: 2 });
    expect(server.events(GROUP, STREAM).map((event) => event.message)).toEqual(['kept-2', 'kept-3']);
  });

  it('succeeds with every event rejected and stores nothing', async () => {
    // Prepare
    const events = series(3, NOW + 3 * HOUR);

    // Act
    const result = await put(events);

    // Assess
    expect(result.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 0 });
    expect(result.nextSequenceToken).toBeUndefined();
    expect(server.events(GROUP, STREAM)).toEqual([]);
  });
});

describe('retention policy', () => {
  it('sets an allowed retention, rejects other values and a missing group', async () => {
    // Prepare
    await client.send(new CreateLogGroupCommand({ logGroupName: GROUP }));

    // Act
    await client.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 30 }));
    const invalid = await failure(client.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 2 })));
    const missing = await failure(client.send(new PutRetentionPolicyCommand({ logGroupName: '/missing', retentionInDays: 30 })));
    const described = await client.send(new DescribeLogGroupsCommand({}));

    // Assess
    expect(invalid.name).toBe('InvalidParameterException');
    expect(missing.name).toBe('ResourceNotFoundException');
    expect(described.logGroups?.[0]?.retentionInDays).toBe(30);
  });
});

describe('deleting a group, and groups made by the stack', () => {
  it('DeleteLogGroup removes the group with its streams and events; a second delete is not found', async () => {
    // Prepare
    await createStream();
    await put(series(2));

    // Act
    await client.send(new DeleteLogGroupCommand({ logGroupName: GROUP }));
    const again = await failure(client.send(new DeleteLogGroupCommand({ logGroupName: GROUP })));
    const putAfter = await failure(put(series(1)));

    // Assess
    expect(server.groups()).toEqual([]);
    expect(server.events(GROUP, STREAM)).toEqual([]);
    expect(again.name).toBe('ResourceNotFoundException');
    expect(putAfter.message).toBe('The specified log group does not exist.');
  });

  it('createGroup() makes a group as the stack would, with its retention, without a CreateLogGroup call', async () => {
    // Act
    server.createGroup(GROUP, { retentionInDays: 90 });
    server.createGroup(GROUP, { retentionInDays: 1 }); // already there: unchanged
    const described = await client.send(new DescribeLogGroupsCommand({}));

    // Assess
    expect(described.logGroups?.map((g) => [g.logGroupName, g.retentionInDays, g.creationTime])).toEqual([[GROUP, 90, NOW]]);
    expect(server.retention(GROUP)).toBe(90);
    expect(server.calls('CreateLogGroup')).toEqual([]);
    expect(() => server.createGroup('aws/reserved')).toThrow(/reserved/);
  });
});

describe('GetLogEvents paging', () => {
  it('pages forward from the head, returns the newest events by default, and repeats the token at the end', async () => {
    // Prepare
    await createStream();
    await put(series(5));
    const request = { logGroupName: GROUP, logStreamName: STREAM, limit: 2 };

    // Act
    const first = await client.send(new GetLogEventsCommand({ ...request, startFromHead: true }));
    const second = await client.send(new GetLogEventsCommand({ ...request, nextToken: first.nextForwardToken }));
    const third = await client.send(new GetLogEventsCommand({ ...request, nextToken: second.nextForwardToken }));
    const end = await client.send(new GetLogEventsCommand({ ...request, nextToken: third.nextForwardToken }));
    const newest = await client.send(new GetLogEventsCommand(request));

    // Assess
    const messages = (page: typeof first) => page.events?.map((event) => event.message);
    expect([messages(first), messages(second), messages(third)]).toEqual([['m0', 'm1'], ['m2', 'm3'], ['m4']]);
    expect(end.events).toEqual([]);
    expect(end.nextForwardToken).toBe(third.nextForwardToken);
    expect(messages(newest)).toEqual(['m3', 'm4']);
  });
});

describe('fault injection', () => {
  beforeEach(() => createStream());

  it.each<[Fault, string, number]>([
    [{ kind: 'throttle' }, 'ThrottlingException', 400],
    [{ kind: 'status', status: 503 }, 'ServiceUnavailableException', 503],
    [{ kind: 'status', status: 500 }, 'InternalFailure', 500],
  ])('%j surfaces in the SDK as %s (HTTP %i)', async (fault, name, status) => {
    // Prepare
    server.injectFault((operation) => (operation === 'PutLogEvents' ? fault : undefined));

    // Act
    const error = await failure(put(series(2)));

    // Assess
    expect(error.name).toBe(name);
    expect(error.$metadata?.httpStatusCode).toBe(status);
    expect(server.events(GROUP, STREAM)).toEqual([]);
    expect(server.calls('PutLogEvents').map((call) => call.status)).toEqual([status]);
  });

  it('a reset fault drops the connection without a response', async () => {
    // Prepare
    server.injectFault(() => ({ kind: 'reset' }));

    // Act
    const error = await failure(put(series(1)));

    // Assess
    expect(error.$metadata?.httpStatusCode).toBeUndefined();
    expect(server.calls('PutLogEvents').map((call) => call.status)).toEqual([0]);
  });

  it('a delay fault answers normally after the delay', async () => {
    // Prepare
    server.injectFault(() => ({ kind: 'delay', ms: 150 }));
    const started = performance.now();

    // Act
    await put(series(1));

    // Assess
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(server.events(GROUP, STREAM)).toHaveLength(1);
  });

  it.each<[Fault, string]>([
    [{ kind: 'throttle' }, 'throttling'],
    [{ kind: 'status', status: 503 }, '5xx'],
  ])('the SDK retry strategy retries %j (%s) and the retry succeeds', async (fault) => {
    // Prepare: fail only the first PutLogEvents; callIndex counts per operation.
    const retrying = makeClient(2);
    const seen: Array<[string, number]> = [];
    server.injectFault((operation, callIndex) => {
      seen.push([operation, callIndex]);
      return operation === 'PutLogEvents' && callIndex === 0 ? fault : undefined;
    });

    // Act
    const result = await retrying.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM, logEvents: series(3) }));
    retrying.destroy();

    // Assess
    expect(result.$metadata.attempts).toBe(2);
    expect(seen).toEqual([['PutLogEvents', 0], ['PutLogEvents', 1]]);
    expect(server.events(GROUP, STREAM)).toHaveLength(3);
  });
});

describe('protocol edges (raw HTTP)', () => {
  const headers = (operation: string, extra: Record<string, string> = {}) => ({
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': `Logs_20140328.${operation}`,
    authorization: 'AWS4-HMAC-SHA256 Credential=test/20260115/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=0',
    ...extra,
  });

  it('answers an unknown operation with UnknownOperationException', async () => {
    // Act
    const response = await fetch(server.endpoint, { method: 'POST', headers: headers('DeleteEverything'), body: '{}' });

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('requires an Authorization header', async () => {
    // Prepare
    const { authorization: _, ...unsigned } = headers('CreateLogGroup');

    // Act
    const response = await fetch(server.endpoint, { method: 'POST', headers: unsigned, body: JSON.stringify({ logGroupName: GROUP }) });

    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
    expect(server.groups()).toEqual([]);
  });

  it('refuses a body over the size limit with 413 without storing anything', async () => {
    // Prepare
    const body = JSON.stringify({ logGroupName: GROUP, padding: 'x'.repeat(9 * 1024 * 1024) });

    // Act
    const response = await fetch(server.endpoint, { method: 'POST', headers: headers('CreateLogGroup'), body });

    // Assess
    expect(response.status).toBe(413);
    expect(server.groups()).toEqual([]);
    expect(server.calls()).toEqual([{ operation: 'CreateLogGroup', status: 413, at: NOW }]);
  });

  it('reset() forgets groups, calls and the fault plan', async () => {
    // Prepare
    await createStream();
    server.injectFault(() => ({ kind: 'throttle' }));

    // Act
    server.reset();
    await client.send(new CreateLogGroupCommand({ logGroupName: '/after-reset' }));

    // Assess
    expect(server.groups()).toEqual(['/after-reset']);
    expect(server.calls()).toEqual([{ operation: 'CreateLogGroup', status: 200, at: NOW }]);
  });
});

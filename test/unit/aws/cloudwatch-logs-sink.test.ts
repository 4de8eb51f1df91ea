import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  InvalidParameterException,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchLogsSink } from '../../../lib/aws/cloudwatch-logs-sink';
import { ForwardError, LogGroupMissingError } from '../../../lib/errors';
import type { LogBatch } from '../../../lib/forward/batcher';
import { cloudTrailStreamName, countRejected, DiscardingSink } from '../../../lib/forward/sink';

const cwl = mockClient(CloudWatchLogsClient);
const target = { group: '/trailwatch/test', stream: '111122223333_CloudTrail_us-east-1' };
const batch: LogBatch = {
  events: [1, 2, 3, 4].map((t) => ({ timestamp: t, message: `{"n":${t}}`, bytes: 7 })),
  bytes: 4 * 33,
};
const notFound = (what: 'group' | 'stream') =>
  new ResourceNotFoundException({ message: `The specified log ${what} does not exist.`, $metadata: {} });

beforeEach(() => cwl.reset());

describe('CloudWatchLogsSink', () => {
  it('puts the batch as is and reports all accepted', async () => {
    // Prepare
    cwl.on(PutLogEventsCommand).resolves({});

    // Act
    const outcome = await new CloudWatchLogsSink(new CloudWatchLogsClient({})).put(target, batch);

    // Assess
    expect(outcome).toEqual({ accepted: 4, rejected: { tooOld: 0, tooNew: 0, expired: 0 } });
    const input = cwl.commandCalls(PutLogEventsCommand)[0]!.args[0].input;
    expect(input).toEqual({
      logGroupName: target.group,
      logStreamName: target.stream,
      logEvents: batch.events.map((e) => ({ timestamp: e.timestamp, message: e.message })),
    });
  });

  it('creates a missing stream once and repeats the call', async () => {
    // Prepare
    cwl.on(PutLogEventsCommand).rejectsOnce(notFound('stream')).resolves({});
    cwl.on(CreateLogStreamCommand).resolves({});

    // Act
    const outcome = await new CloudWatchLogsSink(new CloudWatchLogsClient({})).put(target, batch);

    // Assess
    expect(outcome.accepted).toBe(4);
    expect(cwl.commandCalls(CreateLogStreamCommand)).toHaveLength(1);
    expect(cwl.commandCalls(CreateLogGroupCommand)).toHaveLength(0);
    expect(cwl.commandCalls(PutLogEventsCommand)).toHaveLength(2);
  });

  it('regression (issue 9 item 11): a missing log group fails typed (ForwardFailed, names the group) and is never created', async () => {
    // Prepare
    cwl.on(PutLogEventsCommand).rejects(notFound('group'));
    cwl.on(CreateLogGroupCommand).resolves({});
    cwl.on(CreateLogStreamCommand).resolves({});

    // Act
    const put = new CloudWatchLogsSink(new CloudWatchLogsClient({})).put(target, batch);

    // Assess
    await expect(put).rejects.toBeInstanceOf(LogGroupMissingError);
    await expect(put).rejects.toMatchObject({ reason: 'ForwardFailed', logGroup: '/trailwatch/test' });
    await expect(put).rejects.toThrow("the stack's log group /trailwatch/test is missing");
    expect(cwl.commandCalls(CreateLogGroupCommand)).toHaveLength(0);
    expect(cwl.commandCalls(CreateLogStreamCommand)).toHaveLength(0);
  });

  it('a not-found that does not say what is missing: CreateLogStream tells (the group), still no CreateLogGroup', async () => {
    // Prepare
    cwl.on(PutLogEventsCommand).rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    cwl.on(CreateLogStreamCommand).rejects(notFound('group'));

    // Act
    const put = new CloudWatchLogsSink(new CloudWatchLogsClient({})).put(target, batch);

    // Assess
    await expect(put).rejects.toBeInstanceOf(LogGroupMissingError);
    expect(cwl.commandCalls(CreateLogGroupCommand)).toHaveLength(0);
  });

  it('the group deleted between CreateLogStream and the repeated call: LogGroupMissingError', async () => {
    // Prepare
    cwl.on(PutLogEventsCommand).rejectsOnce(notFound('stream')).rejects(notFound('group'));
    cwl.on(CreateLogStreamCommand).resolves({});

    // Act, Assess
    await expect(new CloudWatchLogsSink(new CloudWatchLogsClient({})).put(target, batch)).rejects.toBeInstanceOf(LogGroupMissingError);
    expect(cwl.commandCalls(CreateLogGroupCommand)).toHaveLength(0);
  });

  it('tolerates a parallel creator of the stream', async () => {
    // Prepare
    cwl.on(PutLogEventsCommand).rejectsOnce(notFound('stream')).resolves({});
    cwl.on(CreateLogStreamCommand).rejects(new ResourceAlreadyExistsException({ message: 'exists', $metadata: {} }));

    // Act
    const outcome = await new CloudWatchLogsSink(new CloudWatchLogsClient({})).put(target, batch);

    // Assess
    expect(outcome.accepted).toBe(4);
    expect(cwl.commandCalls(PutLogEventsCommand)).toHaveLength(2);
  });

  it('a refused CreateLogStream is a ForwardError naming the stream, not an untyped error', async () => {
    // Prepare
    const denied = Object.assign(new Error('not authorized to perform: logs:CreateLogStream'), { name: 'AccessDeniedException' });
    cwl.on(PutLogEventsCommand).rejects(notFound('stream'));
    cwl.on(CreateLogStreamCommand).rejects(denied);

    // Act
    const put = new CloudWatchLogsSink(new CloudWatchLogsClient({})).put(target, batch);

    // Assess
    await expect(put).rejects.toBeInstanceOf(ForwardError);
    await expect(put).rejects.toThrow(/CreateLogStream \/trailwatch\/test\/111122223333_CloudTrail_us-east-1 failed: AccessDeniedException/);
  });

  it('counts events rejected one by one and does not resend them', async () => {
    // Prepare
    cwl.on(PutLogEventsCommand).resolves({ rejectedLogEventsInfo: { tooOldLogEventEndIndex: 1, tooNewLogEventStartIndex: 3 } });

    // Act
    const outcome = await new CloudWatchLogsSink(new CloudWatchLogsClient({})).put(target, batch);

    // Assess
    expect(outcome).toEqual({ accepted: 2, rejected: { tooOld: 1, tooNew: 1, expired: 0 } });
    expect(cwl.commandCalls(PutLogEventsCommand)).toHaveLength(1);
  });

  it('turns a refused batch into a ForwardError naming the target and the size', async () => {
    // Prepare
    cwl.on(PutLogEventsCommand).rejects(new InvalidParameterException({ message: 'out of order', $metadata: {} }));

    // Act
    const put = new CloudWatchLogsSink(new CloudWatchLogsClient({})).put(target, batch);

    // Assess
    await expect(put).rejects.toBeInstanceOf(ForwardError);
    await expect(put).rejects.toThrow(/\/trailwatch\/test\/111122223333_CloudTrail_us-east-1.*4 events.*out of order/);
  });
});

describe('countRejected', () => {
  it.each([
    [undefined, { tooOld: 0, tooNew: 0, expired: 0 }],
    // end indexes are exclusive (SDK docs; AWS answers 1 for one too-old event)
    [{ tooOldLogEventEndIndex: 3 }, { tooOld: 3, tooNew: 0, expired: 0 }],
    [{ tooNewLogEventStartIndex: 8 }, { tooOld: 0, tooNew: 2, expired: 0 }],
    [{ expiredLogEventEndIndex: 5 }, { tooOld: 0, tooNew: 0, expired: 5 }],
    [{ tooOldLogEventEndIndex: 2, expiredLogEventEndIndex: 5 }, { tooOld: 2, tooNew: 0, expired: 3 }],
    [{ tooOldLogEventEndIndex: 10 }, { tooOld: 10, tooNew: 0, expired: 0 }],
    [{ tooOldLogEventEndIndex: 6, tooNewLogEventStartIndex: 3 }, { tooOld: 6, tooNew: 4, expired: 0 }],
    [{ tooOldLogEventEndIndex: 0, tooNewLogEventStartIndex: 0 }, { tooOld: 0, tooNew: 10, expired: 0 }],
  ])('%j over 10 events → %j', (info, expected) => {
    expect(countRejected(10, info)).toEqual(expected);
  });
});

describe('cloudTrailStreamName', () => {
  it('names streams as CloudTrail’s own integration does, without characters AWS forbids', () => {
    expect(cloudTrailStreamName('111122223333', 'eu-west-1')).toBe('111122223333_CloudTrail_eu-west-1');
    expect(cloudTrailStreamName('a:b', 'c*d')).toBe('a_b_CloudTrail_c_d');
  });
});

describe('DiscardingSink', () => {
  it('accepts every batch without sending it, and counts calls, events and batch bytes', async () => {
    // Prepare
    const sink = new DiscardingSink();

    // Act
    const outcomes = [await sink.put(target, batch), await sink.put(target, batch)];

    // Assess
    expect(outcomes).toEqual([
      { accepted: 4, rejected: { tooOld: 0, tooNew: 0, expired: 0 } },
      { accepted: 4, rejected: { tooOld: 0, tooNew: 0, expired: 0 } },
    ]);
    expect({ calls: sink.calls, events: sink.events, batchBytes: sink.batchBytes }).toEqual({ calls: 2, events: 8, batchBytes: 2 * batch.bytes });
  });
});

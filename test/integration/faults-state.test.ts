/**
 * Fault matrix, part 2: DynamoDB (object idempotency and the alert ledger, dynalite behind
 * the fault proxy) and SNS (the strict SNS server) faults. Every record is accounted for,
 * and every finding is alerted exactly once per channel, whatever failed on the way.
 * docs/fault-matrix.md lists these tests by name.
 */
import { serviceErrors, type ProxiedRequest } from '../../testkit/fault-proxy';
import {
  account,
  FAULTED_ATTEMPTS,
  invokeAsync,
  LAMBDA_MAX_ATTEMPTS,
  lambdaDeps,
  putFile,
  s3Event,
  sdkAttempt,
  startFaultStack,
  STREAM,
  trailFile,
  type FaultStack,
  type Telemetry,
} from './faults/harness';

let stack: FaultStack;
let telemetry: Telemetry;
let queueUrl: string;
let n = 0;
const destroy: Array<() => void> = [];

beforeAll(async () => {
  stack = await startFaultStack();
}, 30_000);

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => {
  telemetry = { metrics: [], lines: [] };
  stack.local.logs.reset();
  stack.dynamoProxy.reset();
  stack.sns.reset();
  queueUrl = stack.sqs.createQueue(`state-failures-${++n}`);
});

afterEach(() => {
  for (const d of destroy.splice(0)) d();
});

/** Deps with two alert channels (people, machines) on fresh topics, and a fresh log group. */
function setup() {
  const logGroup = `/trailwatch/state/${n}`;
  const topics = [
    { name: 'people', arn: stack.sns.createTopic(`alerts-${n}`) },
    { name: 'machines', arn: stack.sns.createTopic(`findings-${n}`) },
  ];
  const built = lambdaDeps(stack, telemetry, { logGroup, topics });
  destroy.push(built.destroy);
  const eventIdsAlerted = (channel: number): string[] =>
    stack.sns
      .published(topics[channel]?.arn)
      .flatMap((m) => (JSON.parse(m.message) as { findings: Array<{ examples?: Array<{ eventID?: string }>; eventID?: string }> }).findings)
      .flatMap((f) => (f.examples ?? [f]).map((e) => e.eventID ?? ''))
      .sort();
  return { deps: built.deps, topics, stored: () => stack.local.logs.events(logGroup, STREAM), eventIdsAlerted };
}

const isLedgerPut = (r: ProxiedRequest) => r.operation === 'PutItem' && r.body.includes('"alert#');
const isIdempotencyPut = (r: ProxiedRequest) => r.operation === 'PutItem' && !r.body.includes('"alert#');
/** Deterministic share of requests, never a call's attempts beyond FAULTED_ATTEMPTS. */
const third = (r: ProxiedRequest) => (Math.imul(r.index + 1, 2654435761) >>> 0) % 3 === 0 && sdkAttempt(r.headers) <= FAULTED_ATTEMPTS;

describe('DynamoDB faults: each object forwarded once, each finding alerted once', () => {
  it('ProvisionedThroughputExceededException on a third of all DynamoDB calls: retried; duplicate events stay no-ops', async () => {
    // Prepare: three files with two root calls each (two findings each), every event delivered twice
    const { deps, stored, eventIdsAlerted } = setup();
    const files = [trailFile('ddb-throttle-a', 300, { roots: 2 }), trailFile('ddb-throttle-b', 300, { roots: 2 }), trailFile('ddb-throttle-c', 300, { roots: 2 })];
    for (const f of files) await putFile(stack, f);
    stack.dynamoProxy.injectFault((r) => (third(r) ? serviceErrors.dynamoDbThrottle() : undefined));

    // Act
    const runs = [];
    for (const f of [...files, ...files]) runs.push(await invokeAsync(stack, deps, s3Event({ key: f.key }), { queueUrl }));

    // Assess
    const throttled = stack.dynamoProxy.requests().filter((r) => r.status === 400);
    expect(runs.map((r) => r.outcome)).toEqual(Array(6).fill('succeeded'));
    expect(throttled.length).toBeGreaterThan(3);
    for (const f of files) expect(account(f, stored())).toEqual({ inS3: 300, forwarded: 300, duplicates: 0, rejected: 0, onFailurePath: 0, lost: 0 });
    const expected = files.flatMap((f) => f.eventIds.slice(0, 2)).sort();
    expect(eventIdsAlerted(0)).toEqual(expected);
    expect(eventIdsAlerted(1)).toEqual(expected);
    expect(telemetry.metrics.filter((m) => m === 'DuplicateDeliveries')).toHaveLength(3);
  });

  it('DynamoDB throttled for a whole invocation: it fails before reading (bounded attempts), the Lambda retry processes the file once', async () => {
    // Prepare: the idempotency record cannot be written during the first invocation
    const { deps, stored, eventIdsAlerted } = setup();
    const file = trailFile('ddb-down-first', 400, { roots: 1 });
    await putFile(stack, file);
    stack.dynamoProxy.injectFault(() => serviceErrors.dynamoDbThrottle());
    let firstInvocationRequests = 0;

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), {
      queueUrl,
      beforeRetry: () => {
        firstInvocationRequests = stack.dynamoProxy.requests().length;
        stack.dynamoProxy.injectFault(undefined);
      },
    });

    // Assess
    expect(run).toMatchObject({ outcome: 'succeeded', attempts: 2 });
    expect(run.errors[0]).toMatch(/Idempotency/);
    expect(firstInvocationRequests).toBe(LAMBDA_MAX_ATTEMPTS);
    expect(stack.local.logs.calls('PutLogEvents').length).toBeGreaterThan(0);
    expect(account(file, stored())).toEqual({ inS3: 400, forwarded: 400, duplicates: 0, rejected: 0, onFailurePath: 0, lost: 0 });
    expect(eventIdsAlerted(0)).toEqual([file.eventIds[0]]);
  });

  it('the alert ledger throttled beyond retries after the file was forwarded: the claims fail, the retry alerts once without forwarding again', async () => {
    // Prepare: only the alert claims (PutItem alert#…) fail, for the whole first invocation
    const { deps, stored, eventIdsAlerted } = setup();
    const file = trailFile('ledger-down-first', 400, { roots: 2 });
    await putFile(stack, file);
    stack.dynamoProxy.injectFault((r) => (isLedgerPut(r) ? serviceErrors.dynamoDbThrottle() : undefined));

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl, beforeRetry: () => stack.dynamoProxy.injectFault(undefined) });

    // Assess: nothing lost, nothing forwarded twice (the retry re-reads the file only to alert), one alert per finding
    expect(run).toMatchObject({ outcome: 'succeeded', attempts: 2 });
    expect(run.errors[0]).toMatch(/NotifyFailed/);
    expect(account(file, stored())).toEqual({ inS3: 400, forwarded: 400, duplicates: 0, rejected: 0, onFailurePath: 0, lost: 0 });
    expect(eventIdsAlerted(0)).toEqual(file.eventIds.slice(0, 2).sort());
    expect(eventIdsAlerted(1)).toEqual(file.eventIds.slice(0, 2).sort());
  });

  it('an alert claim that DynamoDB stored but whose answer was lost (500 after commit) still alerts, once', async () => {
    // Prepare: the first claim request is carried out, then answered with InternalServerError;
    // the SDK retries it and meets its own item (ConditionalCheckFailedException)
    const { deps, eventIdsAlerted } = setup();
    const file = trailFile('ledger-lost-answer', 20, { roots: 1 });
    await putFile(stack, file);
    let lost = 0;
    stack.dynamoProxy.injectFault((r) => (isLedgerPut(r) && lost++ === 0 ? { ...serviceErrors.dynamoDbInternalError(), kind: 'lostAnswer' } : undefined));

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl });

    // Assess
    expect(run).toMatchObject({ outcome: 'succeeded', attempts: 1 });
    expect(stack.dynamoProxy.requests().filter((r) => r.fault === 'lostAnswer')).toHaveLength(1);
    expect(eventIdsAlerted(0)).toEqual([file.eventIds[0]]);
  });

  it('an idempotency record stored but whose answer was lost: the object waits out its lock, then the retry processes it once', async () => {
    // Prepare: the first "in progress" PutItem is carried out but answered with a 500; a short
    // Lambda timeout makes the lock (in_progress_expiration = remaining time) short
    const { deps, stored, eventIdsAlerted } = setup();
    const file = trailFile('idem-lost-answer', 200, { roots: 1 });
    await putFile(stack, file);
    let lost = 0;
    stack.dynamoProxy.injectFault((r) => (isIdempotencyPut(r) && lost++ === 0 ? { ...serviceErrors.dynamoDbInternalError(), kind: 'lostAnswer' } : undefined));

    // Act: Lambda retries a minute later; here, once the 300 ms lock has run out
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), {
      queueUrl,
      timeoutMs: 300,
      beforeRetry: () => new Promise((resolve) => setTimeout(resolve, 350)),
    });

    // Assess
    expect(run).toMatchObject({ outcome: 'succeeded', attempts: 2 });
    expect(run.errors[0]).toMatch(/IdempotencyAlreadyInProgressError|already in progress/i);
    expect(account(file, stored())).toEqual({ inS3: 200, forwarded: 200, duplicates: 0, rejected: 0, onFailurePath: 0, lost: 0 });
    expect(eventIdsAlerted(0)).toEqual([file.eventIds[0]]);
  });
});

describe('SNS faults: claims given back, the retry alerts exactly once', () => {
  it('throttling and 5xx on a third of the Publish calls: retried by the SDK, one message per channel', async () => {
    // Prepare
    const { deps, topics, eventIdsAlerted } = setup();
    const file = trailFile('sns-share', 100, { roots: 3 });
    await putFile(stack, file);
    stack.sns.injectFault((op, i) => (op === 'Publish' && i % 3 === 0 ? (i % 2 === 0 ? { kind: 'throttle' } : { kind: 'status', status: 503 }) : undefined));

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl });

    // Assess
    expect(run.outcome).toBe('succeeded');
    expect(stack.sns.calls('Publish').filter((c) => c.status !== 200).length).toBeGreaterThan(0);
    expect(stack.sns.published(topics[0]?.arn)).toHaveLength(1);
    expect(stack.sns.published(topics[1]?.arn)).toHaveLength(1);
    expect(eventIdsAlerted(0)).toEqual(file.eventIds.slice(0, 3).sort());
  });

  it('SNS down for a whole invocation: claims released, the Lambda retry alerts exactly once; Publish attempts bounded', async () => {
    // Prepare
    const { deps, topics, stored, eventIdsAlerted } = setup();
    const file = trailFile('sns-down-first', 300, { roots: 2 });
    await putFile(stack, file);
    stack.sns.injectFault((op) => (op === 'Publish' ? { kind: 'status', status: 500 } : undefined));
    let publishCallsWhileDown = 0;

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), {
      queueUrl,
      beforeRetry: () => {
        publishCallsWhileDown = stack.sns.calls('Publish').length;
        stack.sns.injectFault(undefined);
      },
    });

    // Assess
    expect(run).toMatchObject({ outcome: 'succeeded', attempts: 2 });
    expect(run.errors[0]).toMatch(/NotifyFailed/);
    // both channels tried, each AWS_MAX_ATTEMPTS times, then given up
    expect(publishCallsWhileDown).toBe(2 * LAMBDA_MAX_ATTEMPTS);
    expect(stack.sns.published(topics[0]?.arn)).toHaveLength(1);
    expect(stack.sns.published(topics[1]?.arn)).toHaveLength(1);
    expect(eventIdsAlerted(0)).toEqual(file.eventIds.slice(0, 2).sort());
    expect(account(file, stored())).toMatchObject({ forwarded: 300, lost: 0, duplicates: 0 });
  });

  it('one channel down, the other up: the retry publishes only on the channel that failed', async () => {
    // Prepare: the people topic refuses (500) during the first invocation; machines works
    const { deps, topics } = setup();
    const file = trailFile('sns-one-channel', 50, { roots: 1 });
    await putFile(stack, file);
    const people = topics[0]?.arn ?? '';
    stack.sns.injectFault((op, _i, request) => (op === 'Publish' && request.input.TopicArn === people ? { kind: 'status', status: 500 } : undefined));

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl, beforeRetry: () => stack.sns.injectFault(undefined) });

    // Assess: people once (on the retry), machines once (on the first invocation, not repeated)
    expect(run).toMatchObject({ outcome: 'succeeded', attempts: 2 });
    expect(stack.sns.published(people)).toHaveLength(1);
    expect(stack.sns.published(topics[1]?.arn)).toHaveLength(1);
  });

  it('SNS refuses for good (all three invocations): the failure queue gets the event, the claims are free, nothing is alerted twice later', async () => {
    // Prepare
    const { deps, topics } = setup();
    const file = trailFile('sns-down-all', 30, { roots: 1 });
    await putFile(stack, file);
    stack.sns.injectFault((op) => (op === 'Publish' ? { kind: 'throttle' } : undefined));

    // Act: the failure queue, then SNS recovers and the event is delivered once more
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl });
    stack.sns.injectFault(undefined);
    const again = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl });
    const duplicate = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl });

    // Assess
    expect(run).toMatchObject({ outcome: 'failure-queue', attempts: 3 });
    expect(stack.sns.calls('Publish').length).toBe(3 * 2 * LAMBDA_MAX_ATTEMPTS + 2);
    expect([again.outcome, duplicate.outcome]).toEqual(['succeeded', 'succeeded']);
    expect(stack.sns.published(topics[0]?.arn)).toHaveLength(1);
    expect(stack.sns.published(topics[1]?.arn)).toHaveLength(1);
  });
});

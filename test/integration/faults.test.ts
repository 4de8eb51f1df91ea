/**
 * Fault matrix, part 1: CloudWatch Logs and S3 faults against the servers on 127.0.0.1
 * (the strict CloudWatch Logs server with fault injection, s3rver behind the fault proxy),
 * through the Lambda's own pipeline, retries, asynchronous retries and failure queue.
 * Every test counts where each record of the file ended and asserts that none was lost.
 * docs/fault-matrix.md lists these tests by name.
 */
import { DeleteLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Fault } from '../../testkit/aws-json-server';
import { serviceErrors } from '../../testkit/fault-proxy';
import { SqsFailureQueue } from '../../lib/aws/sqs-failure-queue';
import { ingestWith, replayQueue } from '../../lib/replay';
import {
  account,
  BUCKET,
  eventually,
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
let groups = 0;
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
  stack.s3Proxy.reset();
  queueUrl = stack.sqs.createQueue(`failures-${++groups}`);
});

afterEach(() => {
  for (const d of destroy.splice(0)) d();
});

/** A fresh log group per test: its stream holds only that test's records. */
function setup(options: Partial<Parameters<typeof lambdaDeps>[2]> = {}) {
  const logGroup = `/trailwatch/faults/${groups}`;
  const built = lambdaDeps(stack, telemetry, { logGroup, ...options });
  destroy.push(built.destroy);
  return { logGroup, deps: built.deps, stored: () => stack.local.logs.events(logGroup, STREAM) };
}

/** Deterministic "share of calls": call i of an operation is faulted when its hash falls under `percent`. */
function share(percent: number, salt: number): (i: number) => boolean {
  return (i) => ((Math.imul(i + 1, 2654435761) ^ salt) >>> 0) % 100 < percent;
}

describe('CloudWatch Logs faults: nothing lost, nothing duplicated', () => {
  it.each<[string, Fault]>([
    ['ThrottlingException', { kind: 'throttle' }],
    ['500 InternalFailure', { kind: 'status', status: 500 }],
    ['503 ServiceUnavailableException', { kind: 'status', status: 503 }],
    ['connection reset before an answer', { kind: 'reset' }],
  ])('%s on a third of all calls (CreateLogStream, PutLogEvents): the SDK retries, every record arrives once', async (_name, fault) => {
    // Prepare: 40 batches' worth of records, a third of every operation's calls faulted,
    // always its first call (so each operation's retry is exercised whatever the concurrency),
    // no call more than FAULTED_ATTEMPTS times
    const { deps, stored } = setup({ limits: { maxBatchEvents: 50 } });
    const file = trailFile(`share-${fault.kind}-${'status' in fault ? fault.status : ''}`, 2000);
    await putFile(stack, file);
    const hit = share(33, 0x5eed);
    stack.local.logs.injectFault((_op, i, request) => ((i === 0 || hit(i)) && sdkAttempt(request.headers) <= FAULTED_ATTEMPTS ? fault : undefined));

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl });

    // Assess
    const calls = stack.local.logs.calls();
    expect(run).toMatchObject({ outcome: 'succeeded', attempts: 1, errors: [] });
    expect(account(file, stored())).toEqual({ inS3: 2000, forwarded: 2000, duplicates: 0, rejected: 0, onFailurePath: 0, lost: 0 });
    const faulted = calls.filter((c) => c.status !== 200);
    expect(faulted.length).toBeGreaterThan(10);
    expect(new Set(faulted.map((c) => c.operation))).toEqual(new Set(['CreateLogStream', 'PutLogEvents']));
    // bounded: each of the 40 batches took at most AWS_MAX_ATTEMPTS calls
    expect(calls.filter((c) => c.operation === 'PutLogEvents').length).toBeLessThanOrEqual(40 * LAMBDA_MAX_ATTEMPTS);
  });

  it('slow answers (300 ms on every other call, under any timeout): every record arrives once', async () => {
    // Prepare: the Lambda's clients set no request timeout; CloudWatch Logs' SDK default is a 300 s socket timeout
    const { deps, stored } = setup({ limits: { maxBatchEvents: 200 } });
    const file = trailFile('slow-under-timeout', 1000);
    await putFile(stack, file);
    let slowAnswers = 0;
    stack.local.logs.injectFault((op, i) => {
      if (op !== 'PutLogEvents' || i % 2 !== 0) return undefined;
      slowAnswers++;
      return { kind: 'delay', ms: 300 };
    });

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl });

    // Assess: five batches, every other call answered slowly
    expect(run.outcome).toBe('succeeded');
    expect(slowAnswers).toBeGreaterThanOrEqual(3);
    expect(account(file, stored())).toMatchObject({ forwarded: 1000, duplicates: 0, lost: 0 });
  });

  it('slow answers beyond a configured socket timeout: retried, nothing lost; the late calls CloudWatch Logs still stored are the only duplicates', async () => {
    // Prepare: a 2 s socket timeout; the first two PutLogEvents calls are answered only after
    // the invocation has ended (so the client gave up on them, however slow the machine), but
    // the server stores their events anyway (the request arrived: PutLogEvents has no
    // idempotency token). The other calls are answered at once: far inside the timeout.
    const { deps, stored } = setup({ limits: { maxBatchEvents: 100 }, logsSocketTimeoutMs: 2000 });
    const file = trailFile('slow-over-timeout', 1000);
    await putFile(stack, file);
    let answerLateCalls = (): void => undefined;
    const invocationOver = new Promise<void>((resolve) => (answerLateCalls = resolve));
    stack.local.logs.injectFault((op, i) => (op === 'PutLogEvents' && i < 2 ? { kind: 'hold', until: invocationOver } : undefined));

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl });
    answerLateCalls();
    await eventually(() => stack.local.logs.calls('PutLogEvents').filter((c) => c.status === 0).length >= 2, 'the two late calls carried out');

    // Assess: duplicates = exactly the events of the calls the client gave up on
    const timedOut = stack.local.logs.calls('PutLogEvents').filter((c) => c.status === 0);
    const lateEvents = timedOut.reduce((sum, c) => sum + (c.eventCount ?? 0), 0);
    expect(run.outcome).toBe('succeeded');
    expect(timedOut.length).toBeGreaterThanOrEqual(2);
    expect(lateEvents).toBeGreaterThanOrEqual(200);
    expect(account(file, stored())).toEqual({ inS3: 1000, forwarded: 1000, duplicates: lateEvents, rejected: 0, onFailurePath: 0, lost: 0 });
  });

  it('throttled for a whole invocation: the object fails after bounded retries, the Lambda retry forwards it all, no duplicates', async () => {
    // Prepare: every PutLogEvents of the first invocation is throttled
    const { deps, stored } = setup();
    const file = trailFile('throttled-invocation', 3000, { pad: 600 });
    await putFile(stack, file);
    stack.local.logs.injectFault((op) => (op === 'PutLogEvents' ? { kind: 'throttle' } : undefined));
    let firstInvocationCalls = 0;

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), {
      queueUrl,
      beforeRetry: () => {
        firstInvocationCalls = stack.local.logs.calls('PutLogEvents').length;
        stack.local.logs.injectFault(undefined);
      },
    });

    // Assess: ≤ AWS_MAX_ATTEMPTS calls for each batch in flight (4), then the object failed
    expect(run).toMatchObject({ outcome: 'succeeded', attempts: 2 });
    expect(run.errors[0]).toMatch(/ForwardFailed/);
    expect(firstInvocationCalls).toBeGreaterThanOrEqual(LAMBDA_MAX_ATTEMPTS);
    expect(firstInvocationCalls).toBeLessThanOrEqual(4 * LAMBDA_MAX_ATTEMPTS);
    expect(account(file, stored())).toEqual({ inS3: 3000, forwarded: 3000, duplicates: 0, rejected: 0, onFailurePath: 0, lost: 0 });
  });

  it('down through all three invocations: the event lands on the failure queue with its reason, and a replay forwards every record once', async () => {
    // Prepare
    const { deps, stored } = setup();
    const file = trailFile('down-for-good', 500);
    await putFile(stack, file);
    stack.local.logs.injectFault((op) => (op === 'PutLogEvents' ? { kind: 'status', status: 503 } : undefined));

    // Act: Lambda gives up, the record goes to the failure queue; later CloudWatch Logs is back
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl });
    const onQueue = account(file, stored(), { objectOnFailureQueue: true });
    const callsWhileDown = stack.local.logs.calls('PutLogEvents').length;
    stack.local.logs.injectFault(undefined);
    const sqs = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, endpoint: stack.sqs.endpoint });
    const replay = await replayQueue(new SqsFailureQueue(sqs, queueUrl, { waitSeconds: 0 }), ingestWith(deps));
    sqs.destroy();

    // Assess
    expect(run).toMatchObject({ outcome: 'failure-queue', attempts: 3 });
    expect(run.record?.responsePayload).toMatchObject({ errorType: 'DeliveryFailedError', errorMessage: expect.stringContaining('ForwardFailed') });
    expect(onQueue).toEqual({ inS3: 500, forwarded: 0, duplicates: 0, rejected: 0, onFailurePath: 500, lost: 0 });
    // one batch, three invocations, AWS_MAX_ATTEMPTS each: 24 calls, no storm
    expect(callsWhileDown).toBe(3 * LAMBDA_MAX_ATTEMPTS);
    expect(replay).toMatchObject({ received: 1, replayed: 1, kept: 0 });
    expect(account(file, stored())).toEqual({ inS3: 500, forwarded: 500, duplicates: 0, rejected: 0, onFailurePath: 0, lost: 0 });
    expect(stack.sqs.messages(queueUrl.split('/').pop() as string)).toHaveLength(0);
  });
});

describe("the stack's log group deleted", () => {
  it("regression (issue 9 item 11): deleted mid-run: ForwardFailed saying the stack's log group is missing, never recreated; after a redeploy a replay forwards every record once", async () => {
    // Prepare: the group is deleted as soon as the first batch is stored
    let deleted = false;
    const { deps, stored, logGroup } = setup({
      limits: { maxBatchEvents: 100 },
      wrapSink: (sink) => ({
        async put(target, batch) {
          const outcome = await sink.put(target, batch);
          if (!deleted) {
            deleted = true;
            await stack.admin.logs.send(new DeleteLogGroupCommand({ logGroupName: target.group }));
          }
          return outcome;
        },
      }),
    });
    const file = trailFile('group-deleted', 1000);
    await putFile(stack, file);

    // Act: three invocations, then the failure queue; then the stack is redeployed (the group
    // comes back with its retention) and the failure queue replayed
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl });
    const groupsAfterRun = stack.local.logs.groups();
    const onQueue = account(file, stored(), { objectOnFailureQueue: true });
    stack.local.logs.createGroup(logGroup, { retentionInDays: 90 });
    const sqs = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, endpoint: stack.sqs.endpoint });
    const replay = await replayQueue(new SqsFailureQueue(sqs, queueUrl, { waitSeconds: 0 }), ingestWith(deps));
    sqs.destroy();

    // Assess: typed, explained, and no group was made (none without retention)
    expect(run).toMatchObject({ outcome: 'failure-queue', attempts: 3 });
    for (const error of run.errors) expect(error).toMatch(/\(ForwardFailed\)/);
    expect(telemetry.metrics.filter((m) => m === 'ObjectsFailedByReason:ForwardFailed')).toHaveLength(3);
    const failures = telemetry.lines.filter((l) => l.level === 'error' && l.fields?.key === file.key);
    expect(failures).toHaveLength(3);
    for (const line of failures) {
      expect(line.fields?.error).toEqual({
        reason: 'ForwardFailed',
        message: expect.stringContaining(`the stack's log group ${logGroup} is missing`),
      });
    }
    expect(groupsAfterRun).not.toContain(logGroup);
    expect(stack.local.logs.calls('CreateLogGroup')).toEqual([]);
    expect(onQueue).toMatchObject({ inS3: 1000, onFailurePath: 1000, lost: 0 });
    expect(replay).toMatchObject({ received: 1, replayed: 1, kept: 0 });
    expect(stack.local.logs.retention(logGroup)).toBe(90);
    expect(account(file, stored())).toEqual({ inS3: 1000, forwarded: 1000, duplicates: 0, rejected: 0, onFailurePath: 0, lost: 0 });
  });

  it('deleted before the run: the first call fails typed, CreateLogStream and CreateLogGroup are never called', async () => {
    // Prepare
    const { deps, logGroup } = setup();
    await stack.admin.logs.send(new DeleteLogGroupCommand({ logGroupName: logGroup }));
    const file = trailFile('group-gone-before', 50);
    await putFile(stack, file);

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl, retries: 0 });

    // Assess
    expect(run).toMatchObject({ outcome: 'failure-queue', attempts: 1 });
    expect(run.errors[0]).toMatch(/\(ForwardFailed\)/);
    expect(stack.local.logs.calls().map((c) => [c.operation, c.status])).toEqual([
      ['DeleteLogGroup', 200],
      ['PutLogEvents', 400],
    ]);
    expect(stack.local.logs.groups()).not.toContain(logGroup);
  });
});

describe('S3 faults: a clear failure, never a retry storm', () => {
  const getObjects = () => stack.s3Proxy.requests().filter((r) => r.method === 'GET' && r.url.includes('/AWSLogs/'));

  it.each([
    ['KMS key disabled (400 KMS.DisabledException)', 400, 'KMS.DisabledException', 'arn:aws:kms:us-east-1:111122223333:key/abcd is disabled.'],
    ['KMS key pending deletion (400 KMS.KMSInvalidStateException)', 400, 'KMS.KMSInvalidStateException', 'arn:aws:kms:us-east-1:111122223333:key/abcd is pending deletion.'],
    ['kms:Decrypt not allowed (403 AccessDenied)', 403, 'AccessDenied', 'User is not authorized to perform: kms:Decrypt'],
  ])('%s: AccessDenied, one GetObject per invocation, three invocations, then the failure queue', async (_name, status, code, message) => {
    // Prepare: s3rver cannot do SSE-KMS; the proxy answers GetObject as S3 does when KMS refuses
    const { deps, stored } = setup();
    const file = trailFile(`kms-${code}`, 50);
    await putFile(stack, file);
    stack.s3Proxy.injectFault((r) => (r.method === 'GET' && r.url.includes('/AWSLogs/') ? serviceErrors.s3Error(status, code, message) : undefined));

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl });

    // Assess
    expect(run).toMatchObject({ outcome: 'failure-queue', attempts: 3 });
    for (const error of run.errors) expect(error).toMatch(new RegExp(`\\(AccessDenied\\)`));
    expect(telemetry.metrics.filter((m) => m === 'ObjectsFailedByReason:AccessDenied')).toHaveLength(3);
    expect(getObjects()).toHaveLength(3);
    expect(stack.local.logs.calls('PutLogEvents')).toHaveLength(0);
    expect(account(file, stored(), { objectOnFailureQueue: true })).toMatchObject({ onFailurePath: 50, lost: 0 });
  });

  it('the object is gone (NoSuchKey): one GetObject per invocation, then the failure queue naming the key', async () => {
    // Prepare
    const { deps } = setup();
    const missing = trailFile('gone-before-read', 10);

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: missing.key }), { queueUrl });

    // Assess
    expect(run).toMatchObject({ outcome: 'failure-queue', attempts: 3 });
    expect(String((run.record?.responsePayload as { errorMessage: string }).errorMessage)).toContain(`s3://${BUCKET}/${missing.key} (NoSuchKey)`);
    expect(getObjects()).toHaveLength(3);
  });

  it('S3 503 SlowDown twice: the SDK retries the GetObject and the file is forwarded whole', async () => {
    // Prepare
    const { deps, stored } = setup();
    const file = trailFile('slow-down', 300);
    await putFile(stack, file);
    let refused = 0;
    stack.s3Proxy.injectFault((r) =>
      r.method === 'GET' && r.url.includes('/AWSLogs/') && refused++ < 2 ? serviceErrors.s3Error(503, 'SlowDown', 'Please reduce your request rate.') : undefined,
    );

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), { queueUrl });

    // Assess
    expect(run).toMatchObject({ outcome: 'succeeded', attempts: 1 });
    expect(getObjects().map((r) => r.status)).toEqual([503, 503, 200]);
    expect(account(file, stored())).toMatchObject({ forwarded: 300, duplicates: 0, lost: 0 });
  });

  it('the download resets midway: the object fails with the records forwarded so far counted, the Lambda retry completes it; duplicates = exactly those records', async () => {
    // Prepare: ~4 MB inflated in 1 MB batches; the first download breaks after 60% of its bytes
    const { deps, stored } = setup();
    const file = trailFile('reset-midway', 5000, { pad: 700 });
    await putFile(stack, file);
    let downloads = 0;
    stack.s3Proxy.injectFault((r) =>
      r.method === 'GET' && r.url.includes('/AWSLogs/') && downloads++ === 0 ? { kind: 'cutAfter', bytes: Math.floor(file.body.length * 0.6), holdMs: 300 } : undefined,
    );
    let forwardedBeforeReset = 0;

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key }), {
      queueUrl,
      beforeRetry: () => {
        forwardedBeforeReset = stored().length;
      },
    });

    // Assess
    const failedLine = telemetry.lines.find((l) => l.level === 'error' && /log file failed/.test(l.message));
    expect(run).toMatchObject({ outcome: 'succeeded', attempts: 2 });
    expect(run.errors[0]).toMatch(/ObjectReadFailed/);
    expect(failedLine?.fields).toMatchObject({ status: 'failed', records: { forwarded: forwardedBeforeReset } });
    expect(forwardedBeforeReset).toBeGreaterThan(0);
    expect(forwardedBeforeReset).toBeLessThan(5000);
    expect(account(file, stored())).toEqual({ inS3: 5000, forwarded: 5000, duplicates: forwardedBeforeReset, rejected: 0, onFailurePath: 0, lost: 0 });
  });
});

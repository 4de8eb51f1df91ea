/**
 * Fault matrix, part 3: an invocation that dies midway through a large file (Lambda
 * timeout or crash) and is redelivered; duplicate and out-of-order S3 events; one key
 * overwritten, in a versioned and in an unversioned bucket. The duplicates CloudWatch Logs
 * ends up with are measured and asserted, and stated in docs/fault-matrix.md.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { gzipSync } from 'node:zlib';
import { SqsFailureQueue } from '../../lib/aws/sqs-failure-queue';
import { ingestEvent } from '../../lib/ingest';
import { ingestWith, replayQueue } from '../../lib/replay';
import {
  account,
  BUCKET,
  DyingSink,
  expireIdempotencyLocks,
  invokeAsync,
  lambdaContext,
  lambdaDeps,
  putFile,
  s3Event,
  startFaultStack,
  STREAM,
  trailFile,
  type FaultStack,
  type Telemetry,
  type TrailFile,
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
  stack.s3Proxy.reset();
  stack.sns.reset();
  queueUrl = stack.sqs.createQueue(`crash-failures-${++n}`);
});

afterEach(() => {
  for (const d of destroy.splice(0)) d();
});

function setup(options: { dieAfterBatches?: number } = {}) {
  const logGroup = `/trailwatch/crash/${n}`;
  const topics = [{ name: 'people', arn: stack.sns.createTopic(`crash-alerts-${n}`) }];
  let dying: DyingSink | undefined;
  const built = lambdaDeps(stack, telemetry, {
    logGroup,
    topics,
    ...(options.dieAfterBatches === undefined ? {} : { wrapSink: (sink) => (dying = new DyingSink(sink, options.dieAfterBatches as number)) }),
  });
  destroy.push(built.destroy);
  const alertedEventIds = (): string[] =>
    stack.sns
      .published(topics[0]?.arn)
      .flatMap((m) => (JSON.parse(m.message) as { findings: Array<{ examples?: Array<{ eventID?: string }>; eventID?: string }> }).findings)
      .flatMap((f) => (f.examples ?? [f]).map((e) => e.eventID ?? ''))
      .sort();
  return { deps: built.deps, dying: () => dying as DyingSink, stored: () => stack.local.logs.events(logGroup, STREAM), alertedEventIds, logGroup };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** ~5 MB inflated: five to six full 1 MB PutLogEvents batches, with two root calls (findings) in the last batch. */
function largeFile(tag: string): TrailFile {
  const file = trailFile(tag, 6000, { roots: 0, pad: 600 });
  // the findings sit at the end, so a crash midway has not evaluated them yet
  const texts = file.texts.map((t, i) => (i >= 5998 ? t.replace('"type":"AssumedRole"', '"type":"Root"') : t));
  return { ...file, texts, body: gzipSync(`{"Records":[${texts.join(',')}]}`) };
}

describe('the invocation dies midway through a large file, then the event is redelivered', () => {
  it('killed by its timeout after 2 batches: the retry (after the lock ran out) forwards the whole file; duplicates = the records of the batches already sent; one notification', async () => {
    // Prepare: the first invocation dies once it has sent 2 PutLogEvents calls
    const dead = setup({ dieAfterBatches: 2 });
    const file = largeFile('killed-by-timeout');
    await putFile(stack, file);
    const event = s3Event({ key: file.key });

    // Act: the dead invocation holds the idempotency lock until its timeout (400 ms here)
    const lockedUntil = Date.now() + 400;
    void ingestEvent(event, dead.deps, lambdaContext(400));
    await dead.dying().died();
    const sentBeforeDeath = dead.stored().length;
    await sleep(Math.max(0, lockedUntil - Date.now()) + 50);
    const retry = await invokeAsync(stack, setup().deps, event, { queueUrl, retries: 1 });

    // Assess
    const accepted = stack.local.logs.calls('PutLogEvents').filter((c) => c.status === 200);
    const firstTwoBatches = (accepted[0]?.eventCount ?? 0) + (accepted[1]?.eventCount ?? 0);
    expect(retry).toMatchObject({ outcome: 'succeeded', attempts: 1 });
    expect(firstTwoBatches).toBeGreaterThan(1800);
    expect(sentBeforeDeath).toBe(firstTwoBatches);
    expect(account(file, dead.stored())).toEqual({ inS3: 6000, forwarded: 6000, duplicates: sentBeforeDeath, rejected: 0, onFailurePath: 0, lost: 0 });
    expect(dead.alertedEventIds()).toEqual([file.eventIds[5998], file.eventIds[5999]].sort());
    expect(stack.sns.published()).toHaveLength(1);
  });

  it('crashed early (retries arrive while the lock still holds): both retries fail fast, the event lands on the failure queue, and a replay after the lock forwards the file once more', async () => {
    // Prepare
    const dead = setup({ dieAfterBatches: 1 });
    const file = largeFile('crashed-early');
    await putFile(stack, file);
    const event = s3Event({ key: file.key });

    // Act: Lambda's two retries come while the lock (the dead invocation's 300 s deadline)
    // holds, however slow the machine; the replay comes after it ran out
    void ingestEvent(event, dead.deps, lambdaContext());
    await dead.dying().died();
    const sentBeforeDeath = dead.stored().length;
    const { deps } = setup();
    const retries = await invokeAsync(stack, deps, event, { queueUrl, retries: 1 });
    const locksExpired = await expireIdempotencyLocks(stack);
    const sqs = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, endpoint: stack.sqs.endpoint });
    const replay = await replayQueue(new SqsFailureQueue(sqs, queueUrl, { waitSeconds: 0 }), ingestWith(deps));
    sqs.destroy();

    // Assess
    expect(retries).toMatchObject({ outcome: 'failure-queue', attempts: 2 });
    for (const error of retries.errors) expect(error).toMatch(/IdempotencyAlreadyInProgressError/);
    expect(locksExpired).toBeGreaterThanOrEqual(1);
    expect(replay).toMatchObject({ received: 1, replayed: 1, kept: 0 });
    expect(sentBeforeDeath).toBeGreaterThan(0);
    expect(account(file, dead.stored())).toEqual({ inS3: 6000, forwarded: 6000, duplicates: sentBeforeDeath, rejected: 0, onFailurePath: 0, lost: 0 });
    expect(stack.sns.published()).toHaveLength(1);
  });
});

describe('duplicate and out-of-order S3 events', () => {
  it('two files delivered out of order, each event twice, interleaved: each file forwarded once, each finding alerted once', async () => {
    // Prepare: the later file (newer records) arrives first
    const { deps, stored, alertedEventIds } = setup();
    const early = trailFile('order-early', 500, { roots: 1, stamp: '20261124T0900Z' });
    const late = trailFile('order-late', 500, { roots: 1, stamp: '20261124T0905Z' });
    const lateTexts = late.texts.map((t) => t.replace(/"eventTime":"([^"]+)"/, (_m, at: string) => `"eventTime":"${new Date(Date.parse(at) + 600_000).toISOString().replace(/\.\d{3}/, '')}"`));
    const lateFile = { ...late, texts: lateTexts, body: gzipSync(`{"Records":[${lateTexts.join(',')}]}`) };
    for (const f of [early, lateFile]) await putFile(stack, f);

    // Act
    const runs = [];
    for (const f of [lateFile, early, lateFile, early]) runs.push(await invokeAsync(stack, deps, s3Event({ key: f.key }), { queueUrl }));

    // Assess: CloudWatch Logs takes events out of time order across calls, in order within one
    expect(runs.map((r) => r.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(account(early, stored())).toMatchObject({ forwarded: 500, duplicates: 0, lost: 0 });
    expect(account(lateFile, stored())).toMatchObject({ forwarded: 500, duplicates: 0, lost: 0 });
    expect(alertedEventIds()).toEqual([early.eventIds[0], lateFile.eventIds[0]].sort());
    expect(telemetry.metrics.filter((m) => m === 'DuplicateDeliveries')).toHaveLength(2);
  });

  it('one event naming the same object twice (S3 repeats a record): read once', async () => {
    // Prepare
    const { deps, stored } = setup();
    const file = trailFile('repeated-record', 100);
    await putFile(stack, file);

    // Act
    const run = await invokeAsync(stack, deps, s3Event({ key: file.key, sequencer: '01' }, { key: file.key, sequencer: '01' }), { queueUrl });

    // Assess
    expect(run.outcome).toBe('succeeded');
    expect(stack.s3Proxy.requests().filter((r) => r.method === 'GET')).toHaveLength(1);
    expect(account(file, stored())).toMatchObject({ forwarded: 100, duplicates: 0, lost: 0 });
  });
});

describe('the same key overwritten', () => {
  it('versioned bucket, events out of order and repeated: each version read by its id, forwarded once, alerted once', async () => {
    // Prepare: s3rver has no versioning; the proxy answers GetObject?versionId= as S3 does
    const { deps, stored, alertedEventIds } = setup();
    const v1 = trailFile('versioned-key', 200, { roots: 1 });
    const v2raw = trailFile('versioned-key-v2', 300, { roots: 1 });
    const v2 = { ...v2raw, key: v1.key };
    const versions = new Map([
      ['v1-3HL4kqtJlcpXroDTDmJ', v1.body],
      ['v2-9Qw3mLmsH7ydZ0aX2tb', v2.body],
    ]);
    stack.s3Proxy.injectFault((r) => {
      const version = /[?&]versionId=([^&]+)/.exec(r.url)?.[1];
      const body = version === undefined ? undefined : versions.get(decodeURIComponent(version));
      return body && r.method === 'GET'
        ? { kind: 'respond', status: 200, headers: { 'content-type': 'application/gzip', 'x-amz-version-id': decodeURIComponent(version as string), etag: `"${version}"` }, body }
        : undefined;
    });

    // Act: v2's event first, then v1's, then both again
    const order = ['v2-9Qw3mLmsH7ydZ0aX2tb', 'v1-3HL4kqtJlcpXroDTDmJ', 'v2-9Qw3mLmsH7ydZ0aX2tb', 'v1-3HL4kqtJlcpXroDTDmJ'];
    const runs = [];
    for (const versionId of order) runs.push(await invokeAsync(stack, deps, s3Event({ key: v1.key, versionId }), { queueUrl }));

    // Assess
    expect(runs.map((r) => r.outcome)).toEqual(Array(4).fill('succeeded'));
    expect(stack.s3Proxy.requests().filter((r) => r.method === 'GET').map((r) => /versionId=([^&]+)/.exec(r.url)?.[1])).toEqual(order.slice(0, 2));
    expect(account(v1, stored())).toEqual({ inS3: 200, forwarded: 200, duplicates: 0, rejected: 0, onFailurePath: 0, lost: 0 });
    expect(account(v2, stored())).toEqual({ inS3: 300, forwarded: 300, duplicates: 0, rejected: 0, onFailurePath: 0, lost: 0 });
    expect(alertedEventIds()).toEqual([v1.eventIds[0], v2.eventIds[0]].sort());
  });

  it('unversioned bucket, the event of the first write arriving after the overwrite: the object is identified by what S3 holds (HeadObject), so both events are one delivery (no extra copy); the overwritten content is gone from S3', async () => {
    // Prepare: write v1, overwrite with v2, then deliver v1's event (its ETag) and v2's
    const { deps, stored, alertedEventIds } = setup();
    const v1 = trailFile('unversioned-key', 200, { roots: 1 });
    const v2 = { ...trailFile('unversioned-key-v2', 300, { roots: 1 }), key: v1.key };
    const eTag1 = await putFile(stack, v1);
    const out = await stack.admin.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: v2.key, Body: v2.body }));
    const eTag2 = (out.ETag ?? '').replace(/"/g, '');

    // Act
    const stale = await invokeAsync(stack, deps, s3Event({ key: v1.key, eTag: eTag1 }), { queueUrl });
    const current = await invokeAsync(stack, deps, s3Event({ key: v1.key, eTag: eTag2 }), { queueUrl });

    // Assess: what S3 still holds (v2) is forwarded once; v2's finding alerts once
    expect([stale.outcome, current.outcome]).toEqual(['succeeded', 'succeeded']);
    expect(account(v2, stored())).toEqual({ inS3: 300, forwarded: 300, duplicates: 0, rejected: 0, onFailurePath: 0, lost: 0 });
    expect(account(v1, stored()).forwarded).toBe(0);
    expect(alertedEventIds()).toEqual([v2.eventIds[0]]);
  });
});

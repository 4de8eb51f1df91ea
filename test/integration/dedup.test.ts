import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { DynamoDbAlertLedger } from '../../lib/aws/dynamodb-alert-ledger';
import { ingestEvent, type IngestDeps, type IngestSummary } from '../../lib/ingest';
import type { LocalStack } from '../../testkit/local-stack';
import { loginRecords, RecordingChannel, s3EventIn, startDedupEnvironment, trailKey, type DedupEnvironment } from './dedup-fixtures';

/**
 * S3 delivers at least once: duplicated events must not forward a file twice nor alert
 * twice, and the same CloudTrail event in two files must alert once. Against s3rver, the
 * strict CloudWatch Logs server and dynalite (a real DynamoDB-compatible server).
 */
const BUCKET = 'dedup-trail';
const GROUP = '/trailwatch/dedup';
const TABLE = 'trailwatch-test-dedup';
const NOW = Date.UTC(2026, 10, 24, 9, 20);
const STREAM = '111122223333_CloudTrail_us-east-1';

const key = trailKey;

const s3Event = s3EventIn(BUCKET);

const records = loginRecords;



describe('de-duplication against dynalite', () => {
  let stack: LocalStack;
  let env: DedupEnvironment;
  let s3: S3Client;
  let ddb: DynamoDBClient;
  let notifier: RecordingChannel;
  let deps: IngestDeps;
  const metrics: string[] = [];

  beforeAll(async () => {
    const quiet = () => undefined;
    env = await startDedupEnvironment({
      bucket: BUCKET,
      group: GROUP,
      table: TABLE,
      now: NOW,
      logger: { info: quiet, warn: quiet, error: quiet },
      metrics: { addMetric: (name) => metrics.push(name), addCountWithReason: (name) => metrics.push(name), addCountBy: (name) => metrics.push(name) },
    });
    ({ stack, s3, ddb, deps } = env);
  });

  afterAll(async () => {
    await env?.stop();
  });

  beforeEach(() => {
    notifier = new RecordingChannel();
    deps = { ...deps, channels: [notifier] };
    metrics.length = 0;
  });

  const put = (k: string, ids: string[]) =>
    s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: k, Body: gzipSync(JSON.stringify({ Records: records(ids) })) }));

  it('a duplicated S3 event neither forwards the file again nor alerts again', async () => {
    // Prepare
    const k = key('Duplicate0000001');
    await put(k, ['login-a', 'x1', 'x2']);
    const before = stack.logs.events(GROUP, STREAM).length;

    // Act
    const first = (await ingestEvent(s3Event(k), deps)) as IngestSummary;
    const second = (await ingestEvent(s3Event(k), deps)) as IngestSummary;

    // Assess
    expect(first.objects[0]).toMatchObject({ status: 'processed', recordsForwarded: 3, alerted: 1, notified: true });
    expect(second.objects[0]).toMatchObject({ status: 'processed', duplicate: true });
    expect(stack.logs.events(GROUP, STREAM).length - before).toBe(3);
    expect(notifier.alertedEventIds).toEqual(['login-a']);
    expect(metrics).toContain('DuplicateDeliveries');
  });

  it('two concurrent invocations for one object: it is forwarded once and alerted once', async () => {
    // Prepare
    const k = key('Concurrent000001');
    await put(k, ['login-b', ...Array.from({ length: 300 }, (_, i) => `y${i}`)]);
    const before = stack.logs.events(GROUP, STREAM).length;

    // Act: the loser sees the object in progress and fails, to be retried by Lambda later
    const results = await Promise.allSettled([ingestEvent(s3Event(k), deps), ingestEvent(s3Event(k), deps)]);
    const retried = (await ingestEvent(s3Event(k), deps)) as IngestSummary;

    // Assess
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(String(r.reason)).toMatch(/in progress|already/i);
    }
    expect(retried.objects[0]).toMatchObject({ duplicate: true });
    expect(stack.logs.events(GROUP, STREAM).length - before).toBe(301);
    expect(notifier.alertedEventIds).toEqual(['login-b']);
  });

  it('the same CloudTrail event in two different files alerts once', async () => {
    // Prepare: CloudTrail can deliver one event in two files
    const k1 = key('SameEventFile001');
    const k2 = key('SameEventFile002');
    await put(k1, ['login-c', 'login-d']);
    await put(k2, ['login-d', 'login-e']);

    // Act
    await ingestEvent(s3Event(k1), deps);
    const second = (await ingestEvent(s3Event(k2), deps)) as IngestSummary;

    // Assess
    expect(notifier.alertedEventIds.sort()).toEqual(['login-c', 'login-d', 'login-e']);
    expect(second.objects[0]).toMatchObject({ findings: 2, alerted: 1 });
    expect(metrics).toContain('FindingsSuppressedAsDuplicate');
  });

  it('concurrent claims of the same findings: each key goes to exactly one claimer', async () => {
    // Prepare
    const ledger = new DynamoDbAlertLedger(ddb, { tableName: TABLE });
    const keys = Array.from({ length: 40 }, (_, i) => `race:${i}`);

    // Act
    const [a, b, c] = await Promise.all([ledger.claim(keys), ledger.claim(keys), ledger.claim([...keys].reverse())]);

    // Assess
    expect(a.size + b.size + c.size).toBe(40);
    for (const k of keys) expect([a.has(k), b.has(k), c.has(k)].filter(Boolean)).toHaveLength(1);
  });

  it('a notification that could not be sent gives its claims back: the retry alerts', async () => {
    // Prepare
    const k = key('NotifyFails00001');
    await put(k, ['login-f', 'q1', 'q2']);
    notifier.failNext = true;
    const before = stack.logs.events(GROUP, STREAM).length;

    // Act
    const first = ingestEvent(s3Event(k), deps);
    await expect(first).rejects.toThrow(/NotifyFailed/);
    const retry = (await ingestEvent(s3Event(k), deps)) as IngestSummary;
    const againLater = (await ingestEvent(s3Event(k), deps)) as IngestSummary;

    // Assess: the retry alerted without forwarding the records a second time
    expect(retry.objects[0]).toMatchObject({ status: 'processed', alerted: 1, notified: true });
    expect(notifier.alertedEventIds).toEqual(['login-f']);
    expect(stack.logs.events(GROUP, STREAM).length - before).toBe(3);
    expect(metrics).toContain('PendingAlertsRetried');
    expect(againLater.objects[0]).toMatchObject({ status: 'processed', duplicate: true });
    expect(againLater.objects[0]?.alertsPending).toBeUndefined();
  });

  it('an overwritten object (same key, new ETag, unversioned bucket) is processed again; a duplicate of it is not', async () => {
    // Prepare
    const k = key('Overwritten00001');
    await put(k, ['login-h']);
    await ingestEvent(s3Event(k, 'etag-1'), deps);
    await put(k, ['login-i', 'z1']);

    // Act
    const second = (await ingestEvent(s3Event(k, 'etag-2'), deps)) as IngestSummary;
    const duplicate = (await ingestEvent(s3Event(k, 'etag-2'), deps)) as IngestSummary;

    // Assess
    expect(second.objects[0]).toMatchObject({ status: 'processed', recordsForwarded: 2, alerted: 1 });
    expect(second.objects[0]?.duplicate).toBeUndefined();
    expect(duplicate.objects[0]).toMatchObject({ duplicate: true });
    expect(notifier.alertedEventIds).toEqual(['login-h', 'login-i']);
  });

  it('when one of two channels fails, the retry publishes only on that one', async () => {
    // Prepare
    const email = new RecordingChannel('email');
    const machines = new RecordingChannel('machines');
    machines.failNext = true;
    const k = key('TwoChannels00001');
    await put(k, ['login-j']);
    const twoChannels = { ...deps, channels: [email, machines] };

    // Act
    await expect(ingestEvent(s3Event(k), twoChannels)).rejects.toThrow(/NotifyFailed/);
    await ingestEvent(s3Event(k), twoChannels);

    // Assess
    expect(email.alertedEventIds).toEqual(['login-j']);
    expect(machines.alertedEventIds).toEqual(['login-j']);
  });

  it('a failed object is not remembered: once it exists, the retry processes it', async () => {
    // Prepare
    const k = key('LateArrival00001');

    // Act
    await expect(ingestEvent(s3Event(k), deps)).rejects.toThrow(/NoSuchKey/);
    await put(k, ['login-g']);
    const retry = (await ingestEvent(s3Event(k), deps)) as IngestSummary;

    // Assess
    expect(retry.objects[0]).toMatchObject({ status: 'processed', recordsForwarded: 1, alerted: 1 });
    expect(retry.objects[0]?.duplicate).toBeUndefined();
  });
});

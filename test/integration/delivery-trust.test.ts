import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { SQSBatchResponse } from 'aws-lambda';
import { gzipSync } from 'node:zlib';
import { ingestEvent, type IngestDeps, type IngestSummary } from '../../lib/ingest';
import type { LocalStack } from '../../testkit/local-stack';
import { loginRecords, RecordingChannel, s3EventIn, startDedupEnvironment, trailKey, type DedupEnvironment } from './dedup-fixtures';

/**
 * Regression tests for ways an alert could be lost or a file forwarded twice without anyone
 * noticing (issue 9): parallel SQS batches, runs without an alert channel, the pending mark,
 * one file reaching the function by two triggers, SQS bodies that are not JSON. Against
 * s3rver, the strict CloudWatch Logs server and dynalite.
 */
const BUCKET = 'trust-trail';
const GROUP = '/trailwatch/trust';
const TABLE = 'trailwatch-test-trust';
const NOW = Date.UTC(2026, 10, 24, 9, 20);
const STREAM = '111122223333_CloudTrail_us-east-1';

const key = trailKey;

const s3Event = s3EventIn(BUCKET);

/** CloudTrail's own SNS notification for a delivered file: no ETag, no version id. */
const cloudTrailNotice = (k: string) => ({ s3Bucket: BUCKET, s3ObjectKey: [k] });

const sqsRecord = (body: string, i: number) => ({
  messageId: `m${i}`,
  receiptHandle: 'r',
  body,
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1', SenderId: 'S', ApproximateFirstReceiveTimestamp: '1' },
  messageAttributes: {},
  md5OfBody: 'x',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:q',
  awsRegion: 'us-east-1',
});
const sqsEvent = (...bodies: string[]) => ({ Records: bodies.map(sqsRecord) });

const records = loginRecords;



describe('delivery trust (issue 9) against s3rver, the CloudWatch Logs test server and dynalite', () => {
  let stack: LocalStack;
  let env: DedupEnvironment;
  let s3: S3Client;
  let channel: RecordingChannel;
  let deps: IngestDeps;
  const metrics: string[] = [];
  const logged: { level: string; message: string }[] = [];

  beforeAll(async () => {
    const log = (level: string) => (message: string) => {
      logged.push({ level, message });
    };
    env = await startDedupEnvironment({
      bucket: BUCKET,
      group: GROUP,
      table: TABLE,
      now: NOW,
      logger: { info: log('info'), warn: log('warn'), error: log('error') },
      metrics: { addMetric: (name) => metrics.push(name), addCountWithReason: (name) => metrics.push(name), addCountBy: (name) => metrics.push(name) },
    });
    ({ stack, s3, deps } = env);
  });

  afterAll(async () => {
    await env?.stop();
  });

  beforeEach(() => {
    channel = new RecordingChannel();
    deps = { ...deps, channels: [channel] };
    metrics.length = 0;
    logged.length = 0;
  });

  /** Writes a log file; returns its ETag as S3's event notification would carry it. */
  const put = async (k: string, ids: string[]): Promise<string> => {
    const out = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: k, Body: gzipSync(JSON.stringify({ Records: records(ids) })) }));
    return (out.ETag ?? '').replace(/"/g, '');
  };
  const forwarded = () => stack.logs.events(GROUP, STREAM).length;
  const count = (name: string) => metrics.filter((m) => m === name).length;

  it('an SQS batch mixing fresh objects with duplicates whose alerts are pending sends every alert', async () => {
    // Prepare: four objects forwarded while SNS was down (alerts pending), four fresh ones
    const pending = [1, 2, 3, 4].map((i) => key(`PendingBatch000${i}`));
    const fresh = [1, 2, 3, 4].map((i) => key(`FreshBatch00000${i}`));
    for (const [i, k] of pending.entries()) await put(k, [`login-p${i}`, `p${i}`]);
    for (const [i, k] of fresh.entries()) await put(k, [`login-f${i}`, `f${i}`]);
    channel.down = true;
    for (const k of pending) await expect(ingestEvent(s3Event(k), deps)).rejects.toThrow(/NotifyFailed/);
    channel.down = false;
    const before = forwarded();

    // Act: the batch processor runs the records in parallel, pending and fresh interleaved
    const bodies = pending.flatMap((k, i) => [JSON.stringify(s3Event(k)), JSON.stringify(s3Event(fresh[i]!))]);
    const response = (await ingestEvent(sqsEvent(...bodies), deps)) as SQSBatchResponse;

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect([...channel.alertedEventIds].sort()).toEqual(['login-f0', 'login-f1', 'login-f2', 'login-f3', 'login-p0', 'login-p1', 'login-p2', 'login-p3']);
    expect(forwarded() - before).toBe(8); // only the fresh objects' records
    expect(count('PendingAlertsRetried')).toBe(4);
  });

  it('once pending alerts are sent the mark is cleared: a later duplicate is a plain duplicate', async () => {
    // Prepare
    const k = key('ClearPending0001');
    await put(k, ['login-c1', 'c2']);
    channel.down = true;
    await expect(ingestEvent(s3Event(k), deps)).rejects.toThrow(/NotifyFailed/);
    channel.down = false;
    const retry = (await ingestEvent(s3Event(k), deps)) as IngestSummary;
    metrics.length = 0;
    logged.length = 0;

    // Act
    const later = (await ingestEvent(s3Event(k), deps)) as IngestSummary;

    // Assess
    expect(retry.objects[0]).toMatchObject({ status: 'processed', alerted: 1, notified: true });
    expect(retry.objects[0]?.alertsPending).toBeUndefined();
    expect(later.objects[0]).toMatchObject({ duplicate: true });
    expect(count('PendingAlertsRetried')).toBe(0);
    expect(logged.some((l) => l.message.includes('pending alerts sent'))).toBe(false);
    expect([...channel.alertedEventIds].sort()).toEqual(['login-c1']);
  });

  it('a run without any alert channel leaves the alerts pending; a later run with one sends them', async () => {
    // Prepare
    const k = key('NoChannelRun0001');
    await put(k, ['login-n1', 'n2', 'n3']);
    const before = forwarded();

    // Act
    const silent = (await ingestEvent(s3Event(k), { ...deps, channels: [] })) as IngestSummary;
    const withChannel = (await ingestEvent(s3Event(k), deps)) as IngestSummary;

    // Assess: never recorded as alerted on a channel that did not publish
    expect(silent.objects[0]).toMatchObject({ status: 'processed', recordsForwarded: 3, alerted: 0, notified: false, alertsPending: true });
    expect(logged.some((l) => l.level === 'warn' && l.message.includes('alerts left pending'))).toBe(true);
    expect(withChannel.objects[0]).toMatchObject({ status: 'processed', alerted: 1, notified: true });
    expect([...channel.alertedEventIds].sort()).toEqual(['login-n1']);
    expect(forwarded() - before).toBe(3);
  });

  it.each([
    ['S3 event first, then CloudTrail SNS notification', (k: string, eTag: string) => [s3Event(k, eTag), cloudTrailNotice(k)]],
    ['CloudTrail SNS notification first, then S3 event', (k: string, eTag: string) => [cloudTrailNotice(k), s3Event(k, eTag)]],
  ])('one file named by two triggers is forwarded once: %s', async (name, triggers) => {
    // Prepare
    const unique = name.startsWith('S3') ? 'TwoTriggersS3001' : 'TwoTriggersCT001';
    const k = key(unique);
    const eTag = await put(k, [`login-${unique}`, 't2', 't3']);
    const before = forwarded();
    const [first, second] = triggers(k, eTag);

    // Act
    const a = (await ingestEvent(first, deps)) as IngestSummary;
    const b = (await ingestEvent(second, deps)) as IngestSummary;

    // Assess
    expect(a.objects[0]).toMatchObject({ status: 'processed', recordsForwarded: 3 });
    expect(b.objects[0]).toMatchObject({ duplicate: true });
    expect(forwarded() - before).toBe(3);
    expect(channel.sent).toHaveLength(1);
  });

  it('one S3 record with a malformed key does not hide the others: they are read, the event fails naming it', async () => {
    // Prepare
    const k = key('BesideBadKey0001');
    const eTag = await put(k, ['k1', 'k2']);
    const good = s3Event(k, eTag).Records[0]!;
    const bad = { ...good, s3: { bucket: { name: BUCKET }, object: { key: 'AWSLogs/%E0%A4%A.json.gz', size: 1 } } };
    const before = forwarded();

    // Act
    const run = ingestEvent({ Records: [bad, good] }, deps);

    // Assess
    await expect(run).rejects.toThrow(/1 of 2 objects failed: .*%E0%A4%A.*UnrecognisedTrigger/);
    expect(forwarded() - before).toBe(2);
    expect(logged.some((l) => l.level === 'error' && l.message.includes('malformed % escape'))).toBe(true);
    expect(count('TriggersRejected')).toBe(1);
  });

  it('an SQS message whose body is not JSON is logged, counted and left on the queue', async () => {
    // Prepare
    const k = key('BesideBadBody001');
    await put(k, ['b1']);

    // Act
    const response = (await ingestEvent(sqsEvent('not json {', JSON.stringify(s3Event(k))), deps)) as SQSBatchResponse;

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }]);
    expect(logged.some((l) => l.level === 'error' && /m0 is not JSON/.test(l.message))).toBe(true);
    expect(count('TriggersRejected')).toBe(1);
  });
});

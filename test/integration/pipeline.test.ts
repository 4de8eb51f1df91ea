import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { SQSBatchResponse } from 'aws-lambda';
import { gzipSync } from 'node:zlib';
import { CloudWatchLogsSink } from '../../lib/aws/cloudwatch-logs-sink';
import { S3ObjectSource } from '../../lib/aws/s3-source';
import { DeliveryFailedError } from '../../lib/errors';
import { ingestEvent, type IngestDeps, type IngestSummary } from '../../lib/ingest';
import type { MetricsLike } from '../../lib/telemetry';
import { startLocalStack, type LocalStack } from '../../testkit/local-stack';

const BUCKET = 'trail-bucket';
const GROUP = '/trailwatch/it';
const NOW = Date.UTC(2026, 10, 24, 9, 20);
const STREAM = '111122223333_CloudTrail_us-east-1';

function key(unique: string, region = 'us-east-1'): string {
  return `AWSLogs/111122223333/CloudTrail/${region}/2026/11/24/111122223333_CloudTrail_${region}_20261124T0905Z_${unique}.json.gz`;
}

function records(n: number, pad = 0) {
  return Array.from({ length: n }, (_, i) => ({
    eventVersion: '1.11',
    userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/ops/alice', accountId: '111122223333' },
    eventTime: new Date(NOW - 15 * 60_000 + (i % 300) * 1000).toISOString().replace(/\.\d{3}/, ''),
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0 Python/3.11',
    requestParameters: { filterSet: {}, note: 'ü✓'.repeat(pad) },
    eventID: `e${i}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
  }));
}

const s3Event = (...keys: string[]) => ({
  Records: keys.map((k, i) => ({
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: '2026-11-24T09:06:00.000Z',
    eventName: 'ObjectCreated:Put',
    userIdentity: { principalId: 'AWS:AROAEXAMPLE:regionalDeliverySession' },
    requestParameters: { sourceIPAddress: '192.0.2.10' },
    responseElements: { 'x-amz-request-id': 'REQ', 'x-amz-id-2': 'ID2' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'trailwatch',
      bucket: { name: BUCKET, ownerIdentity: { principalId: 'A1' }, arn: `arn:aws:s3:::${BUCKET}` },
      object: { key: encodeURIComponent(k).replace(/%2F/g, '/'), size: 100, eTag: 'e', sequencer: `00${i}` },
    },
  })),
});

const sqsEvent = (...bodies: unknown[]) => ({
  Records: bodies.map((b, i) => ({
    messageId: `m${i}`,
    receiptHandle: 'r',
    body: JSON.stringify(b),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1',
      SenderId: 'S',
      ApproximateFirstReceiveTimestamp: '1',
    },
    messageAttributes: {},
    md5OfBody: 'x',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:q',
    awsRegion: 'us-east-1',
  })),
});

describe('the pipeline against local S3 (s3rver) and the strict CloudWatch Logs server', () => {
  let stack: LocalStack;
  let s3: S3Client;
  let deps: IngestDeps;
  const logged: { level: string; message: string; extra: Record<string, unknown>[] }[] = [];
  const metrics: { name: string; value: number }[] = [];

  beforeAll(async () => {
    stack = await startLocalStack({ buckets: [BUCKET], logsNow: () => NOW });
    s3 = new S3Client({ ...stack.clientConfig, endpoint: stack.s3Endpoint });
    const logsClient = new CloudWatchLogsClient({ ...stack.clientConfig, endpoint: stack.logs.endpoint, maxAttempts: 6 });
    const metricsFake: MetricsLike = {
      addMetric: (name, _unit, value) => metrics.push({ name, value }),
      addCountWithReason: (name, reason) => metrics.push({ name: `${name}:${reason}`, value: 1 }),
      addCountBy: (name, _dimension, value, count) => metrics.push({ name: `${name}:${value}`, value: count }),
    };
    const log = (level: string) => (message: string, ...extra: Record<string, unknown>[]) => logged.push({ level, message, extra });
    deps = {
      source: new S3ObjectSource(s3),
      sink: new CloudWatchLogsSink(logsClient),
      logGroup: GROUP,
      logger: { info: log('info'), warn: log('warn'), error: log('error') },
      metrics: metricsFake,
    };
  });

  afterAll(async () => {
    s3?.destroy();
    await stack?.stop();
  });

  beforeEach(() => {
    stack.logs.reset();
    // as the deployed stack makes it (the function has no CreateLogGroup)
    stack.logs.createGroup(GROUP, { retentionInDays: 90 });
    logged.length = 0;
    metrics.length = 0;
  });

  /** The structured fields of the log line the function wrote for an object. */
  const loggedFor = (k: string) => logged.map((l) => l.extra[0]).find((e) => e?.key === k) as Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any

  const put = (k: string, body: Uint8Array) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: k, Body: body }));

  it('forwards a multi-batch file whole: the strict server accepted every call, texts unchanged', async () => {
    // Prepare: ~4,000 records of ~1.3 KB (multi-byte characters) need several 1 MB batches
    const rs = records(4000, 200);
    const k = key('BigFile000000001');
    await put(k, gzipSync(JSON.stringify({ Records: rs })));

    // Act
    const out = (await ingestEvent(s3Event(k), deps)) as IngestSummary;

    // Assess
    expect(out.objects[0]).toMatchObject({ status: 'processed', recordsRead: 4000, recordsForwarded: 4000 });
    const report = loggedFor(k);
    expect(report).toMatchObject({ status: 'processed', records: { read: 4000, forwarded: 4000 } });
    const stored = stack.logs.events(GROUP, STREAM);
    expect(stored.map((e) => e.message).sort()).toEqual(rs.map((r) => JSON.stringify(r)).sort());
    const puts = stack.logs.calls('PutLogEvents').filter((c) => c.status === 200);
    expect(puts.length).toBe(report!.putLogEventsCalls);
    expect(puts.length).toBeGreaterThan(4);
    // the only refusals: the first calls, before the stream existed (up to 4 are in flight)
    expect(stack.logs.calls('PutLogEvents').filter((c) => c.status !== 200).length).toBeLessThanOrEqual(4);
    expect(stack.logs.calls('CreateLogStream').length).toBeGreaterThan(0);
    expect(metrics).toContainEqual({ name: 'RecordsForwarded', value: 4000 });
  });

  it('creates the stream on first use and decodes a key with spaces and plus signs', async () => {
    // Prepare
    const k = `team a+b/${key('PlusSpace0000001')}`;
    await put(k, gzipSync(JSON.stringify({ Records: records(3) })));

    // Act
    const out = (await ingestEvent(s3Event(k), deps)) as IngestSummary;

    // Assess
    expect(out.objects[0]).toMatchObject({ status: 'processed', key: k, recordsForwarded: 3 });
    expect(stack.logs.streams(GROUP)).toContain(STREAM);
  });

  it('counts records CloudWatch Logs rejects as too old or too new, and stores the rest', async () => {
    // Prepare: one record 20 days old, one 3 hours ahead of the server's clock
    const rs = records(5);
    rs[0]!.eventTime = new Date(NOW - 20 * 86_400_000).toISOString();
    rs[4]!.eventTime = new Date(NOW + 3 * 3_600_000).toISOString();
    const k = key('TimeEdges0000001');
    await put(k, gzipSync(JSON.stringify({ Records: rs })));
    const before = stack.logs.events(GROUP, STREAM).length;

    // Act
    const out = (await ingestEvent(s3Event(k), deps)) as IngestSummary;

    // Assess
    expect(out.objects[0]).toMatchObject({ recordsRead: 5, recordsForwarded: 3 });
    expect(loggedFor(k)?.records).toMatchObject({ read: 5, forwarded: 3, rejected: { tooOld: 1, tooNew: 1 } });
    expect(stack.logs.events(GROUP, STREAM).length - before).toBe(3);
    expect(logged.some((l) => l.level === 'warn' && /2 rejected/.test(l.message))).toBe(true);
  });

  it('regression (issue 9 items 8 and 9): an eventTime before 1970 or a loose date is forwarded with the delivery time; no call is refused', async () => {
    // Prepare: before 1970 (a negative timestamp fails a whole PutLogEvents call) and dates
    // Date.parse reads loosely ("2026" is 2026-01-01, 300 days before NOW: too old)
    const rs = records(8);
    const odd = ['1969-12-31T23:59:59Z', '1960-06-01T00:00:00Z', '1', '12', '2026', 'Dec 4'];
    odd.forEach((t, i) => (rs[i]!.eventTime = t));
    const k = key('OddEventTimes001');
    await put(k, gzipSync(JSON.stringify({ Records: rs })));

    // Act
    const out = (await ingestEvent(s3Event(k), deps)) as IngestSummary;

    // Assess: every record stored; the odd ones at the delivery time in the key (09:05)
    expect(out.objects[0]).toMatchObject({ status: 'processed', recordsRead: 8, recordsForwarded: 8 });
    expect(loggedFor(k)?.records).toMatchObject({ read: 8, forwarded: 8, timestampFallback: 6, rejected: { tooOld: 0, tooNew: 0 } });
    const stamped = new Map(stack.logs.events(GROUP, STREAM).map((e) => [JSON.parse(e.message).eventID as string, e.timestamp]));
    expect(odd.map((_t, i) => stamped.get(`e${i}`))).toEqual(Array(6).fill(Date.UTC(2026, 10, 24, 9, 5)));
    expect(stamped.get('e7')).toBe(Date.parse(rs[7]!.eventTime as string));
    expect(stack.logs.calls('PutLogEvents').filter((c) => c.status === 400)).toHaveLength(1); // the stream's first use only
  });

  it.each([
    ['alternating between T and T − 25 h', (i: number) => NOW - 15 * 60_000 - (i % 2) * 25 * 3_600_000 + (i % 300) * 1000, 2],
    ['spread over 13 days', (i: number) => NOW - 13 * 86_400_000 + Math.floor(((i * 7919) % 3000) / 3000 * 13 * 86_400_000), 13],
  ])('regression (issue 9 item 10): 3,000 records %s cost the calls they would sorted, not one per record', async (_label, at, calls) => {
    // Prepare
    const rs = records(3000).map((r, i) => ({ ...r, eventTime: new Date(at(i)).toISOString().replace(/\.\d{3}/, '') }));
    const k = key(`OutOfOrder${String(calls).padStart(6, '0')}`);
    await put(k, gzipSync(JSON.stringify({ Records: rs })));

    // Act
    const out = (await ingestEvent(s3Event(k), deps)) as IngestSummary;

    // Assess: the strict server accepted every call (order and 24 h span within each)
    expect(out.objects[0]).toMatchObject({ status: 'processed', recordsRead: 3000, recordsForwarded: 3000 });
    const accepted = stack.logs.calls('PutLogEvents').filter((c) => c.status === 200);
    expect(accepted).toHaveLength(calls);
    expect(loggedFor(k)?.putLogEventsCalls).toBe(calls);
    expect(stack.logs.events(GROUP, STREAM)).toHaveLength(3000);
  });

  it('skips digest files and Config probes with a logged reason, without reading them', async () => {
    // Prepare
    const digest =
      'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/24/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20261124T100000Z.json.gz';
    const probe = 'AWSLogs/111122223333/Config/ConfigWritabilityCheckFile';

    // Act
    const out = (await ingestEvent(s3Event(digest, probe), deps)) as IngestSummary;

    // Assess
    expect(out.objects.map((o) => [loggedFor(o.key)?.kind, o.status])).toEqual([
      ['digest', 'skipped'],
      ['config-check', 'skipped'],
    ]);
    expect(logged.filter((l) => /object skipped/.test(l.message))).toHaveLength(2);
    expect(metrics).toContainEqual({ name: 'ObjectsSkippedByReason:digest', value: 1 });
  });

  it('retries through CloudWatch Logs throttling and 5xx without losing a record', async () => {
    // Prepare: every third PutLogEvents call is throttled, every fifth fails with a 503
    stack.logs.injectFault((op, i) =>
      op === 'PutLogEvents' ? (i % 3 === 0 ? { kind: 'throttle' } : i % 5 === 0 ? { kind: 'status', status: 503 } : undefined) : undefined,
    );
    const rs = records(2500, 200);
    const k = key('Throttled0000001');
    await put(k, gzipSync(JSON.stringify({ Records: rs })));
    const before = stack.logs.events(GROUP, STREAM).length;

    // Act
    const out = (await ingestEvent(s3Event(k), deps)) as IngestSummary;

    // Assess
    stack.logs.injectFault(undefined);
    expect(out.objects[0]).toMatchObject({ recordsRead: 2500, recordsForwarded: 2500 });
    expect(stack.logs.events(GROUP, STREAM).length - before).toBe(2500);
    expect(stack.logs.calls('PutLogEvents').some((c) => c.status === 400)).toBe(true);
  });

  it.each([
    ['a truncated gzip', (b: Buffer) => b.subarray(0, b.length - 40), 'TruncatedGzip'],
    ['a corrupt gzip', () => Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(60, 7)]), 'CorruptGzip'],
    ['non-JSON', () => gzipSync('<html>oops</html>'), 'MalformedJson'],
    ['JSON without Records', () => gzipSync('{"logFiles":[]}'), 'MissingRecords'],
    ['a 0-byte object', () => Buffer.alloc(0), 'EmptyObject'],
  ])('fails %s with a typed reason, a log line naming the object, and a metric', async (_name, mutate, reason) => {
    // Prepare
    const k = key(`Bad${reason}`.padEnd(16, '0').slice(0, 16));
    await put(k, mutate(gzipSync(JSON.stringify({ Records: records(200) }))));

    // Act
    const run = ingestEvent(s3Event(k), deps);

    // Assess
    await expect(run).rejects.toBeInstanceOf(DeliveryFailedError);
    await expect(run).rejects.toThrow(new RegExp(`${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*${reason}`));
    const line = logged.find((l) => l.level === 'error');
    expect(line?.extra[0]).toMatchObject({ bucket: BUCKET, key: k, status: 'failed', error: { reason } });
    expect(metrics).toContainEqual({ name: `ObjectsFailedByReason:${reason}`, value: 1 });
  });

  it('fails a missing object as NoSuchKey', async () => {
    const run = ingestEvent(s3Event(key('DoesNotExist0001')), deps);
    await expect(run).rejects.toThrow(/NoSuchKey/);
  });

  it('fails an unreadable object as AccessDenied (wrong credentials: s3rver answers 403)', async () => {
    // Prepare
    const k = key('Forbidden0000001');
    await put(k, gzipSync(JSON.stringify({ Records: records(2) })));
    const denied = new S3Client({ ...stack.clientConfig, credentials: { accessKeyId: 'OTHER', secretAccessKey: 'x' }, endpoint: stack.s3Endpoint });

    // Act
    const run = ingestEvent(s3Event(k), { ...deps, source: new S3ObjectSource(denied) });

    // Assess
    await expect(run).rejects.toThrow(/AccessDenied/);
    denied.destroy();
  });

  it('reports only the failed message of an SQS batch (ReportBatchItemFailures)', async () => {
    // Prepare
    const good = key('SqsGood000000001');
    await put(good, gzipSync(JSON.stringify({ Records: records(7) })));
    const missing = key('SqsMissing000001');

    // Act
    const out = (await ingestEvent(sqsEvent(s3Event(good), s3Event(missing), { not: 'a trigger' }), deps)) as SQSBatchResponse;

    // Assess
    expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m1', 'm2']);
    expect(logged.some((l) => /processed: 7 records read, 7 forwarded/.test(l.message))).toBe(true);
  });
});

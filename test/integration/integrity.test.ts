import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { gunzipSync, gzipSync } from 'node:zlib';
import { SNSClient } from '@aws-sdk/client-sns';
import { CloudTrailPublicKeys } from '../../lib/aws/cloudtrail-public-keys';
import { DynamoDbAlertLedger } from '../../lib/aws/dynamodb-alert-ledger';
import { SnsNotifier } from '../../lib/aws/sns-notifier';
import { notificationChannel } from '../../lib/notify';
import { CloudWatchLogsSink } from '../../lib/aws/cloudwatch-logs-sink';
import { DynamoDbLogHashStore } from '../../lib/aws/dynamodb-log-hash-store';
import { S3ObjectLister } from '../../lib/aws/s3-object-lister';
import { S3ObjectSource } from '../../lib/aws/s3-source';
import { DeliveryFailedError } from '../../lib/errors';
import { ingestEvent, type IngestDeps } from '../../lib/ingest';
import { CachedPublicKeys, formatVerifySummary, IntegrityReader, verifyRange } from '../../lib/integrity';
import { processObject, type PipelineDeps } from '../../lib/pipeline';
import type { MetricsLike } from '../../lib/telemetry';
import { CloudTrailServer } from '../../testkit/cloudtrail-server';
import { createDedupTable } from '../../testkit/dynamodb';
import { startLocalStack, type LocalStack } from '../../testkit/local-stack';
import { DigestChain, makeSigningKey, MemoryBucket } from '../../testkit/digest-chain';

const BUCKET = 'trail-bucket';
const TABLE = 'trailwatch-it-integrity';
const KEY = makeSigningKey(new Date('2026-01-01T00:00:00Z'), new Date('2026-06-01T00:00:00Z'));

let stack: LocalStack;
let cloudtrail: CloudTrailServer;
let s3: S3Client;
let dynamo: DynamoDBClient;

beforeAll(async () => {
  stack = await startLocalStack({ buckets: [BUCKET] });
  cloudtrail = await CloudTrailServer.start({ pageSize: 1 });
  s3 = new S3Client({ ...stack.clientConfig, endpoint: stack.s3Endpoint, forcePathStyle: true });
  dynamo = new DynamoDBClient(stack.dynamodb.clientConfig);
  // same key schema as serverless.yml's IntegrityTable (`id` S hash), as the dedup table's
  await createDedupTable(dynamo, TABLE);
});

afterAll(async () => {
  s3?.destroy();
  dynamo?.destroy();
  await cloudtrail?.stop();
  await stack?.stop();
});

beforeEach(() => {
  cloudtrail.reset();
  // an unrelated key first: the right one is on the second page (NextToken followed)
  cloudtrail.addKey('us-east-1', makeSigningKey(new Date('2026-01-01T00:00:00Z'), new Date('2026-06-01T00:00:00Z')).publicKey);
  cloudtrail.addKey('us-east-1', KEY.publicKey);
});

let runs = 0;
/** A fresh chain under its own prefix, uploaded to s3rver as CloudTrail stores it. */
async function chain(build: (c: DigestChain) => void): Promise<DigestChain> {
  const c = new DigestChain({ bucket: new MemoryBucket(BUCKET), key: KEY, prefix: `run${++runs}` });
  build(c);
  await upload(c);
  return c;
}

async function upload(c: DigestChain): Promise<void> {
  for (const [key, object] of c.bucket.objects) {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: object.body, Metadata: object.metadata }));
  }
}

function deps(publicKeys = new CloudTrailPublicKeys({ endpoint: cloudtrail.endpoint, credentials: stack.clientConfig.credentials, maxAttempts: 2 })): PipelineDeps {
  const source = new S3ObjectSource(s3);
  return {
    source,
    sink: new CloudWatchLogsSink(new CloudWatchLogsClient({ ...stack.clientConfig, endpoint: stack.logs.endpoint })),
    logGroup: '/trailwatch/it',
    logHashes: new DynamoDbLogHashStore(dynamo, { tableName: TABLE }),
    digests: { reader: new IntegrityReader(source), keys: new CachedPublicKeys(publicKeys) },
  };
}

const ref = (key: string) => ({ bucket: BUCKET, key });

describe('log file integrity against s3rver, dynalite and the strict CloudTrail server', () => {
  beforeAll(() => stack.logs.createGroup('/trailwatch/it'));

  it('log files forwarded (hash kept in DynamoDB), then their digest: valid without reading a log file again', async () => {
    // Prepare
    const c = await chain((c) => {
      c.addHour(2);
      c.addHour(1);
    });
    const d = deps();
    for (const log of c.logKeys) expect((await processObject(ref(log), d)).integrity).toMatchObject({ hashStored: true });

    // Act
    const reports = [await processObject(ref(c.digestKeys[0]!), d), await processObject(ref(c.digestKeys[1]!), d)];

    // Assess
    expect(reports.map((r) => r.reason)).toEqual(['CloudTrail digest file valid: 2/2 log files valid', 'CloudTrail digest file valid: 1/1 log files valid']);
    expect(reports.flatMap((r) => r.findings)).toEqual([]);
    expect(cloudtrail.calls('ListPublicKeys').length).toBeGreaterThanOrEqual(2); // two pages: NextToken followed
  });

  it('a digest arriving before its log files were processed: the listed files are fetched, hashed and kept', async () => {
    // Prepare
    const c = await chain((c) => c.addHour(2));
    const d = deps();

    // Act
    const report = await processObject(ref(c.digestKeys[0]!), d);

    // Assess
    expect(report.reason).toBe('CloudTrail digest file valid: 2/2 log files valid, 2 read again (no hash kept)');
    expect(await d.logHashes!.get(ref(c.logKeys[0]!))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a log file modified and another deleted in S3: CRITICAL and HIGH findings', async () => {
    // Prepare
    const c = await chain((c) => c.addHour(3));
    const modified = c.bucket.objects.get(c.logKeys[0]!)!;
    const text = gunzipSync(modified.body);
    text[10] = text[10]! ^ 0x01;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: c.logKeys[0]!, Body: gzipSync(text) }));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: c.logKeys[1]! }));

    // Act
    const report = await processObject(ref(c.digestKeys[0]!), deps());

    // Assess
    expect(report.findings.map((f) => [f.ruleId, f.severity, f.object.key])).toEqual([
      ['integrity-log-file-modified', 'CRITICAL', c.logKeys[0]],
      ['integrity-log-file-missing', 'HIGH', c.logKeys[1]],
    ]);
  });

  it('a log file deleted in S3 (s3rver\'s own ObjectRemoved:Delete event): HIGH integrity-log-file-deleted published to SNS in that invocation, once (DynamoDB ledger), no object read', async () => {
    // Prepare
    const c = await chain((c) => c.addHour(2));
    const d = deps();
    await processObject(ref(c.logKeys[0]!), d);
    const emitted: unknown[] = [];
    const stopListening = stack.onS3Event((event) => void emitted.push(event));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: c.logKeys[0]! }));
    stopListening();
    const topicArn = stack.sns.createTopic('trailwatch-it-integrity-alerts');
    const sns = new SNSClient({ ...stack.clientConfig, endpoint: stack.sns.endpoint });
    const opened: string[] = [];
    const source = d.source;
    const log = () => undefined;
    const ingestDeps: IngestDeps = {
      ...d,
      // any read of the bucket would show here: the deletion is reported from the event alone
      source: { open: async (r) => (opened.push(r.key), source.open(r)) },
      logger: { info: log, warn: log, error: log },
      metrics: { addMetric: log, addCountWithReason: log, addCountBy: log },
      ledger: new DynamoDbAlertLedger(dynamo, { tableName: TABLE }),
      channels: [notificationChannel('people', new SnsNotifier(sns, topicArn), { logGroup: '/trailwatch/it', format: 'text' })],
    };
    const [event] = emitted as [{ Records: Array<{ eventName: string }> }];

    // Act
    const first = await ingestEvent(event, ingestDeps);
    const again = await ingestEvent(event, ingestDeps);
    sns.destroy();

    // Assess
    expect(event.Records[0]!.eventName).toBe('ObjectRemoved:Delete');
    expect(first).toEqual({ objects: [expect.objectContaining({ key: c.logKeys[0], status: 'processed', findings: 1, alerted: 1, notified: true })] });
    expect(again).toEqual({ objects: [expect.objectContaining({ alerted: 0 })] });
    expect(opened).toEqual([]);
    const published = stack.sns.published(topicArn);
    expect(published).toHaveLength(1);
    expect(published[0]!.message).toContain('integrity-log-file-deleted');
    expect(published[0]!.message).toContain('HIGH');
  });

  it('ListPublicKeys throttled: the delivery fails with a clear error, is counted, and the retry succeeds once CloudTrail answers', async () => {
    // Prepare
    const c = await chain((c) => c.addHour(1));
    const d = deps();
    const counted: string[] = [];
    const metrics: MetricsLike = { addMetric: () => undefined, addCountWithReason: (name, reason) => void counted.push(`${name}:${reason}`), addCountBy: () => undefined };
    const errors: string[] = [];
    const log = () => undefined;
    const ingestDeps: IngestDeps = { ...d, metrics, logger: { info: log, warn: log, error: (m: string) => void errors.push(m) } };
    const event = { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: BUCKET }, object: { key: c.digestKeys[0]!, size: 1 } } }] };
    cloudtrail.injectFault((op) => (op === 'ListPublicKeys' ? { kind: 'throttle' } : undefined));

    // Act + Assess: failed, thrown for Lambda's retry / on-failure destination
    await expect(ingestEvent(event, ingestDeps)).rejects.toThrow(DeliveryFailedError);
    expect(counted).toContain('ObjectsFailedByReason:PublicKeysUnavailable');
    expect(errors.join('\n')).toMatch(/PublicKeysUnavailable/);

    // the retry, CloudTrail answering again: the failure was not cached
    cloudtrail.injectFault(undefined);
    await expect(ingestEvent(event, ingestDeps)).resolves.toMatchObject({ objects: [expect.objectContaining({ status: 'processed' })] });
  });

  it('ListPublicKeys down (503): PublicKeysUnavailable naming the region and the cause', async () => {
    // Prepare
    const c = await chain((c) => c.addHour(1));
    cloudtrail.injectFault(() => ({ kind: 'status', status: 503 }));

    // Act
    const report = await processObject(ref(c.digestKeys[0]!), deps());

    // Assess
    expect(report).toMatchObject({ status: 'failed', error: { reason: 'PublicKeysUnavailable', message: expect.stringMatching(/us-east-1 failed: ServiceUnavailable/) } });
  });

  it("a digest whose end time is outside its key's validity window does not verify (unknown-key)", async () => {
    // Prepare: the chain's key is valid until 2026-06-01; this digest ends later
    const late = await chain(() => undefined);
    const c = new DigestChain({ bucket: late.bucket, key: KEY, prefix: `run${runs}`, firstEnd: new Date('2026-07-01T01:00:17Z') });
    c.addHour(0);
    await upload(c);

    // Act
    const report = await processObject(ref(c.digestKeys[0]!), deps());

    // Assess
    expect(report.findings).toEqual([expect.objectContaining({ ruleId: 'integrity-digest-invalid', severity: 'CRITICAL', details: expect.objectContaining({ problems: ['unknown-key'] }) })]);
  });

  it('verifyRange over the bucket (trailwatch verify): the summary line', async () => {
    // Prepare
    const c = await chain((c) => {
      c.addHour(2);
      c.addHour(0);
      c.addHour(1);
    });
    const source = new S3ObjectSource(s3);

    // Act
    const result = await verifyRange(
      { reader: new IntegrityReader(source), lister: new S3ObjectLister(s3), keys: new CachedPublicKeys(new CloudTrailPublicKeys({ endpoint: cloudtrail.endpoint, credentials: stack.clientConfig.credentials })) },
      { bucket: BUCKET, prefix: `${c.base.split('/AWSLogs')[0]}/`, start: new Date('2026-03-01T00:00:00Z'), end: new Date('2026-03-02T00:00:00Z') },
    );

    // Assess
    expect(formatVerifySummary(result)).toBe('3/3 digest files valid, 3/3 log files valid');
  });
});

describe('strict CloudTrail server: ListPublicKeys', () => {
  it('refuses an end time before the start time and a NextToken it did not issue', async () => {
    const { CloudTrailClient, ListPublicKeysCommand } = await import('@aws-sdk/client-cloudtrail');
    const client = new CloudTrailClient({ region: 'us-east-1', endpoint: cloudtrail.endpoint, credentials: stack.clientConfig.credentials, maxAttempts: 1 });
    await expect(client.send(new ListPublicKeysCommand({ StartTime: new Date('2026-02-01T00:00:00Z'), EndTime: new Date('2026-01-01T00:00:00Z') }))).rejects.toMatchObject({ name: 'InvalidTimeRangeException' });
    await expect(client.send(new ListPublicKeysCommand({ NextToken: 'forged' }))).rejects.toMatchObject({ name: 'InvalidTokenException' });
    // another region has no keys
    const other = new CloudTrailClient({ region: 'eu-west-1', endpoint: cloudtrail.endpoint, credentials: stack.clientConfig.credentials, maxAttempts: 1 });
    await expect(other.send(new ListPublicKeysCommand({ StartTime: new Date('2026-02-01T00:00:00Z'), EndTime: new Date('2026-02-02T00:00:00Z') }))).resolves.toMatchObject({ PublicKeyList: [] });
    client.destroy();
    other.destroy();
  });
});

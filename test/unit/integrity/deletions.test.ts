/**
 * A deletion under the trail prefix is tampering evidence the moment S3 reports it: the
 * ingest function turns the event into a finding in the same invocation, from the event
 * alone (no object read), through the alert ledger and channels like any other finding.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { MemoryAlertLedger } from '../../../lib/dedup/alert-ledger';
import { DeliveryFailedError } from '../../../lib/errors';
import { DiscardingSink } from '../../../lib/forward/sink';
import { ingestEvent, type AlertChannel, type IngestDeps, type IngestSummary } from '../../../lib/ingest';
import { CachedPublicKeys, IntegrityReader, MemoryLogHashStore } from '../../../lib/integrity';
import { MemoryNotifier, notificationChannel, type Notification } from '../../../lib/notify';
import { makeSigningKey, MemoryBucket, StaticPublicKeys } from '../../../testkit/digest-chain';
import { loadTrigger } from '../trigger/fixtures';

const BUCKET = 'aws-cloudtrail-logs-111122223333-3c5a8f1e';

function setup(options: { integrity?: boolean; channel?: AlertChannel } = {}) {
  const bucket = new MemoryBucket(BUCKET);
  const notifier = new MemoryNotifier();
  const lines: Array<{ level: string; message: string }> = [];
  const counted: string[] = [];
  const logAt = (level: string) => (message: string) => void lines.push({ level, message });
  const deps: IngestDeps = {
    source: bucket,
    sink: new DiscardingSink(),
    logGroup: '/trailwatch/test',
    logHashes: new MemoryLogHashStore(),
    ...(options.integrity === false ? {} : { digests: { reader: new IntegrityReader(bucket), keys: new CachedPublicKeys(new StaticPublicKeys([makeSigningKey().publicKey])) } }),
    logger: { info: logAt('info'), warn: logAt('warn'), error: logAt('error') },
    metrics: {
      addMetric: (name: string) => void counted.push(name),
      addCountWithReason: (name: string, reason: string) => void counted.push(`${name}:${reason}`),
      addCountBy: (name: string) => void counted.push(name),
    },
    ledger: new MemoryAlertLedger(),
    channels: [options.channel ?? notificationChannel('people', notifier, { logGroup: '/trailwatch/test', format: 'text' })],
  };
  return { bucket, notifier, deps, lines, counted };
}

function sqsBatch(...bodies: unknown[]): SQSEvent {
  return {
    Records: bodies.map((body, index) => ({
      messageId: `m-${index}`,
      receiptHandle: 'r',
      body: JSON.stringify(body),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'S3', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:trailwatch-events',
      awsRegion: 'us-east-1',
    })),
  };
}

describe('deletion events under the trail prefix', () => {
  it('S3 ObjectRemoved:Delete of a log file: HIGH integrity-log-file-deleted alerted in the same invocation, nothing read from the bucket', async () => {
    // Prepare
    const { bucket, notifier, deps, counted } = setup();

    // Act
    const summary = (await ingestEvent(loadTrigger('s3-object-removed-delete.json'), deps)) as IngestSummary;

    // Assess
    expect(summary.objects).toEqual([expect.objectContaining({ status: 'processed', findings: 1, alerted: 1, notified: true })]);
    expect(bucket.opened).toEqual([]);
    expect(notifier.published).toHaveLength(1);
    const [note] = notifier.published as [Notification];
    expect(note.message).toContain('integrity-log-file-deleted');
    expect(note.message).toContain('ObjectRemoved:Delete');
    expect(counted).toContain('CloudTrailFilesDeleted');
  });

  it('the same deletion event delivered again alerts once (alert ledger)', async () => {
    // Prepare
    const { notifier, deps } = setup();
    const event = loadTrigger('s3-object-removed-delete.json');
    await ingestEvent(event, deps);

    // Act
    const again = (await ingestEvent(event, deps)) as IngestSummary;

    // Assess
    expect(again.objects).toEqual([expect.objectContaining({ findings: 1, alerted: 0 })]);
    expect(notifier.published).toHaveLength(1);
  });

  it('S3 ObjectRemoved:DeleteMarkerCreated of a digest (versioned bucket): integrity-digest-deleted, saying the version can be restored', async () => {
    // Prepare
    const { notifier, deps } = setup();

    // Act
    await ingestEvent(loadTrigger('s3-object-removed-delete-marker.json'), deps);

    // Assess
    const [note] = notifier.published as [Notification];
    expect(note.message).toContain('integrity-digest-deleted');
    expect(note.message).toContain('delete marker');
  });

  it('an SQS-wrapped ObjectRemoved notification: the finding is alerted and the message succeeds', async () => {
    // Prepare
    const { notifier, deps } = setup();

    // Act
    const response = (await ingestEvent(sqsBatch(loadTrigger('s3-object-removed-delete.json')), deps)) as SQSBatchResponse;

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect((notifier.published as [Notification])[0].message).toContain('integrity-log-file-deleted');
  });

  it('an EventBridge "Object Deleted" event: the finding names the requester\'s deletion type', async () => {
    // Prepare
    const { notifier, deps } = setup();

    // Act
    await ingestEvent(loadTrigger('eventbridge-object-deleted.json'), deps);

    // Assess
    const [note] = notifier.published as [Notification];
    expect(note.message).toContain('integrity-log-file-deleted');
    expect(note.message).toContain('Object Deleted (Delete Marker Created)');
  });

  it('a deletion of a key that is no CloudTrail log or digest file: logged as ignored, no finding', async () => {
    // Prepare
    const { notifier, deps, lines, counted } = setup();
    const event = loadTrigger('s3-object-removed-delete.json') as { Records: Array<{ s3: { object: { key: string } } }> };
    event.Records[0]!.s3.object.key = 'AWSLogs/111122223333/Config/ConfigWritabilityCheckFile';

    // Act
    const summary = (await ingestEvent(event, deps)) as IngestSummary;

    // Assess
    expect(summary.objects).toEqual([]);
    expect(notifier.published).toEqual([]);
    expect(lines).toContainEqual({ level: 'info', message: expect.stringContaining('not a CloudTrail log or digest file') });
    expect(counted).toContain('TriggerEntriesIgnored:NotObjectCreated');
  });

  it('with log file integrity off (LOG_INTEGRITY=off), a deletion is logged as ignored', async () => {
    // Prepare
    const { notifier, deps, lines } = setup({ integrity: false });

    // Act
    const summary = (await ingestEvent(loadTrigger('s3-object-removed-delete.json'), deps)) as IngestSummary;

    // Assess
    expect(summary.objects).toEqual([]);
    expect(notifier.published).toEqual([]);
    expect(lines).toContainEqual({ level: 'info', message: expect.stringContaining('log file integrity is off') });
  });

  it('a channel failing: the event fails (retried through the failure path) and the retry alerts', async () => {
    // Prepare
    let failing = true;
    const notifier = new MemoryNotifier();
    const inner = notificationChannel('people', notifier, { logGroup: '/trailwatch/test', format: 'text' });
    const channel: AlertChannel = { name: 'people', notify: async (report) => (failing ? Promise.reject(new Error('SNS down')) : inner.notify(report)) };
    const { deps } = setup({ channel });
    const event = loadTrigger('s3-object-removed-delete.json');

    // Act
    const first = ingestEvent(event, deps);
    await expect(first).rejects.toBeInstanceOf(DeliveryFailedError);
    failing = false;
    const retry = (await ingestEvent(event, deps)) as IngestSummary;

    // Assess
    expect(retry.objects).toEqual([expect.objectContaining({ status: 'processed', alerted: 1, notified: true })]);
    expect(notifier.published).toHaveLength(1);
  });
});

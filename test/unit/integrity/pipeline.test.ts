import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { MemoryAlertLedger } from '../../../lib/dedup/alert-ledger';
import { DiscardingSink } from '../../../lib/forward/sink';
import { ingestEvent, type IngestSummary } from '../../../lib/ingest';
import { CachedPublicKeys, IntegrityReader, MemoryLogHashStore, PublicKeysUnavailableError, type LogHashStore } from '../../../lib/integrity';
import { MemoryNotifier, notificationChannel, type Notification } from '../../../lib/notify';
import { processObject, type PipelineDeps } from '../../../lib/pipeline';
import type { MetricsLike } from '../../../lib/telemetry';
import { DigestChain, makeSigningKey, MemoryBucket, StaticPublicKeys } from '../../../testkit/digest-chain';

const KEY = makeSigningKey();

function setup(hashes: LogHashStore = new MemoryLogHashStore(), keys = new StaticPublicKeys([KEY.publicKey])) {
  const bucket = new MemoryBucket('trail-bucket');
  const chain = new DigestChain({ bucket, key: KEY });
  const deps: PipelineDeps = {
    source: bucket,
    sink: new DiscardingSink(),
    logGroup: '/trailwatch/test',
    logHashes: hashes,
    digests: { reader: new IntegrityReader(bucket), keys: new CachedPublicKeys(keys) },
  };
  return { bucket, chain, deps, hashes, keys };
}

const ref = (key: string) => ({ bucket: 'trail-bucket', key });

describe('integrity in the pipeline', () => {
  it('hashes the uncompressed bytes of a log file in the pass that forwards it (the file is opened once)', async () => {
    // Prepare
    const { bucket, chain, deps, hashes } = setup();
    const log = chain.addLogFile(new Date('2026-03-01T00:05:00Z'), 50);
    const expected = createHash('sha256').update(gunzipSync(bucket.objects.get(log)!.body)).digest('hex');

    // Act
    const report = await processObject(ref(log), deps);

    // Assess
    expect(report).toMatchObject({ status: 'processed', records: { read: 50, forwarded: 50 }, integrity: { sha256: expected, hashStored: true } });
    expect(await hashes.get(ref(log))).toBe(expected);
    expect(bucket.opened).toEqual([log]);
  });

  it('a log key forwarded before that now holds other content: CRITICAL overwritten finding at once; the same content again (a replay) is not one', async () => {
    // Prepare
    const { bucket, chain, deps } = setup();
    const log = chain.addLogFile(new Date('2026-03-01T00:05:00Z'));
    await processObject(ref(log), deps);
    const replay = await processObject(ref(log), deps);
    const stored = bucket.objects.get(log)!;
    const text = gunzipSync(stored.body);
    text[40] = text[40]! ^ 0x01;
    stored.body = gzipSync(text);

    // Act
    const report = await processObject(ref(log), deps);

    // Assess
    expect(replay.findings).toEqual([]);
    expect(report.findings).toEqual([expect.objectContaining({ ruleId: 'integrity-log-file-overwritten', severity: 'CRITICAL', source: 'integrity', object: { bucket: 'trail-bucket', key: log } })]);
  });

  it('a hash store that fails does not fail the delivery: reported (logged and counted)', async () => {
    // Prepare
    const failing: LogHashStore = { put: async () => Promise.reject(new Error('ProvisionedThroughputExceededException')), get: async () => undefined };
    const { chain, deps } = setup(failing);
    const log = chain.addLogFile(new Date('2026-03-01T00:05:00Z'));

    // Act
    const report = await processObject(ref(log), deps);

    // Assess
    expect(report.status).toBe('processed');
    expect(report.integrity).toMatchObject({ hashStored: false, hashStoreError: 'ProvisionedThroughputExceededException' });
  });

  it('a digest after its log files were processed: valid, and no log file is read again', async () => {
    // Prepare
    const { bucket, chain, deps } = setup();
    const hour = chain.addHour(3);
    for (const log of hour.logKeys) await processObject(ref(log), deps);
    bucket.opened = [];

    // Act
    const report = await processObject(ref(hour.digestKey), deps);

    // Assess
    expect(report).toMatchObject({ kind: 'digest', status: 'processed', findings: [], integrity: { digest: { valid: true, logFiles: { valid: 3, total: 3 } } } });
    expect(bucket.opened).toEqual([hour.digestKey]);
  });

  it('a digest arriving before its log files were processed: each listed file is fetched and hashed', async () => {
    // Prepare
    const { bucket, chain, deps, hashes } = setup();
    const hour = chain.addHour(2);

    // Act
    const report = await processObject(ref(hour.digestKey), deps);

    // Assess
    expect(report.status).toBe('processed');
    expect(report.reason).toMatch(/2\/2 log files valid, 2 read again/);
    expect(bucket.opened).toEqual([hour.digestKey, ...hour.logKeys]);
    expect(await hashes.get(ref(hour.logKeys[0]!))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a log file changed after it was forwarded: CRITICAL finding with a runbook', async () => {
    // Prepare
    const { bucket, chain, deps } = setup();
    const log = chain.addLogFile(new Date('2026-03-01T00:05:00Z'));
    const digest = chain.addDigest([log]);
    const stored = bucket.objects.get(log)!;
    const text = gunzipSync(stored.body);
    text[30] = text[30]! ^ 0x01;
    stored.body = gzipSync(text);
    await processObject(ref(log), { ...deps, logHashes: new MemoryLogHashStore() }); // hashed into another store: the digest reads it again

    // Act
    const report = await processObject(ref(digest), deps);

    // Assess
    expect(report.findings).toEqual([expect.objectContaining({ ruleId: 'integrity-log-file-modified', severity: 'CRITICAL', source: 'integrity', runbook: expect.stringContaining('README') })]);
  });

  it('ListPublicKeys failing: the delivery fails with PublicKeysUnavailable (retried through the failure path)', async () => {
    // Prepare
    const down = { listPublicKeys: async () => Promise.reject(new Error('ServiceUnavailable')) };
    const { chain, deps } = setup(new MemoryLogHashStore(), down as unknown as StaticPublicKeys);
    const hour = chain.addHour(1);

    // Act
    const report = await processObject(ref(hour.digestKey), deps);

    // Assess
    expect(report).toMatchObject({ status: 'failed', error: { reason: new PublicKeysUnavailableError('x').reason } });
  });

  it('findings alert through the notification path once: a re-delivered digest is not alerted twice (alert ledger)', async () => {
    // Prepare
    const { bucket, chain, deps } = setup();
    chain.addHour(1);
    const second = chain.addHour(1);
    bucket.objects.delete(chain.digestKeys[0]!); // digest deleted mid-chain
    const notifier = new MemoryNotifier();
    const metrics: MetricsLike = { addMetric: () => undefined, addCountWithReason: () => undefined, addCountBy: () => undefined };
    const log = () => undefined;
    const ingestDeps = {
      ...deps,
      logger: { info: log, warn: log, error: log },
      metrics,
      ledger: new MemoryAlertLedger(),
      channels: [notificationChannel('people', notifier, { logGroup: '/trailwatch/test', format: 'text' })],
    };
    const event = { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'trail-bucket' }, object: { key: second.digestKey, size: 1 } } }] };

    // Act
    const first = (await ingestEvent(event, ingestDeps)) as IngestSummary;
    const again = (await ingestEvent(event, ingestDeps)) as IngestSummary;

    // Assess
    expect(first.objects).toEqual([expect.objectContaining({ status: 'processed', findings: 1, alerted: 1, notified: true })]);
    expect(again.objects).toEqual([expect.objectContaining({ status: 'processed', findings: 1, alerted: 0 })]);
    expect(notifier.published).toHaveLength(1);
    const [note] = notifier.published as [Notification];
    expect(note.message).toContain('integrity-digest-chain-broken');
  });
});

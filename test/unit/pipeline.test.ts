import { gzipSync } from 'node:zlib';
import type { ObjectSource } from '../../lib/cloudtrail/source';
import type { ObjectRef, TrailRecord } from '../../lib/cloudtrail/types';
import { ObjectNotFoundError } from '../../lib/errors';
import type { LogBatch } from '../../lib/forward/batcher';
import type { LogSink, LogTarget, PutOutcome } from '../../lib/forward/sink';
import { processObject } from '../../lib/pipeline';

const LOG_KEY =
  'AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/111122223333_CloudTrail_us-east-1_20261124T0905Z_abcdefABCDEF0123.json.gz';
const DIGEST_KEY =
  'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/24/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20261124T100000Z.json.gz';

function record(i: number, extra: Record<string, unknown> = {}) {
  return {
    eventVersion: '1.11',
    eventTime: new Date(Date.UTC(2026, 10, 24, 9, 0, i % 60)).toISOString().replace('.000', ''),
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    eventID: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    ...extra,
  };
}

class MemorySource implements ObjectSource {
  constructor(private readonly objects: Map<string, Uint8Array>) {}
  async open(ref: ObjectRef) {
    const bytes = this.objects.get(ref.key);
    if (!bytes) throw new ObjectNotFoundError(`s3://${ref.bucket}/${ref.key}: NoSuchKey`);
    return {
      body: (async function* () {
        for (let i = 0; i < bytes.length; i += 1000) yield bytes.subarray(i, i + 1000);
      })(),
    };
  }
}

class RecordingSink implements LogSink {
  readonly batches: { target: LogTarget; batch: LogBatch }[] = [];
  constructor(private readonly outcome: (batch: LogBatch) => PutOutcome = (b) => ({
    accepted: b.events.length,
    rejected: { tooOld: 0, tooNew: 0, expired: 0 },
  })) {}
  async put(target: LogTarget, batch: LogBatch): Promise<PutOutcome> {
    this.batches.push({ target, batch });
    return this.outcome(batch);
  }
  get messages(): string[] {
    return this.batches.flatMap((b) => b.batch.events.map((e) => e.message));
  }
}

const ref = (key: string): ObjectRef => ({ bucket: 'trail-bucket', key });
const gz = (records: unknown[]) => gzipSync(JSON.stringify({ Records: records }));

describe('processObject', () => {
  it('forwards every record of a log file as its original JSON to the CloudTrail-named stream', async () => {
    // Prepare
    const records = Array.from({ length: 120 }, (_, i) => record(i));
    const sink = new RecordingSink();
    const source = new MemorySource(new Map([[LOG_KEY, gz(records)]]));

    // Act
    const report = await processObject(ref(LOG_KEY), { source, sink, logGroup: '/trailwatch/test' });

    // Assess
    expect(report).toMatchObject({
      status: 'processed',
      kind: 'log',
      accountId: '111122223333',
      region: 'us-east-1',
      logStream: '111122223333_CloudTrail_us-east-1',
      records: { read: 120, forwarded: 120, timestampFallback: 0 },
    });
    expect(sink.batches.every((b) => b.target.group === '/trailwatch/test')).toBe(true);
    expect(sink.messages.sort()).toEqual(records.map((r) => JSON.stringify(r)).sort());
    expect(report.bytes.forwarded).toBe(records.reduce((s, r) => s + Buffer.byteLength(JSON.stringify(r)), 0));
    expect(report.bytes.compressed).toBe(gz(records).length);
  });

  it('skips a digest file with its reason and reads nothing', async () => {
    // Prepare
    const sink = new RecordingSink();
    const source: ObjectSource = { open: jest.fn() };

    // Act
    const report = await processObject(ref(DIGEST_KEY), { source, sink, logGroup: 'g' });

    // Assess
    expect(report.status).toBe('skipped');
    expect(report.kind).toBe('digest');
    expect(report.reason).toMatch(/digest/i);
    expect(source.open).not.toHaveBeenCalled();
  });

  it('reports a file that breaks midway as failed, counting what was already forwarded', async () => {
    // Prepare: a truncated gzip stream of a large file
    const records = Array.from({ length: 3000 }, (_, i) => record(i, { pad: 'x'.repeat(400) }));
    const whole = gz(records);
    const sink = new RecordingSink();
    const source = new MemorySource(new Map([[LOG_KEY, whole.subarray(0, Math.floor(whole.length * 0.8))]]));
    const limits = { maxBatchBytes: 100_000, eventOverheadBytes: 26, maxBatchEvents: 10_000, maxBatchSpanMs: 86_400_000, maxMessageBytes: 99_000 };

    // Act
    const report = await processObject(ref(LOG_KEY), { source, sink, logGroup: 'g', limits });

    // Assess
    expect(report.status).toBe('failed');
    expect(report.error?.reason).toBe('TruncatedGzip');
    expect(report.records.read).toBeGreaterThan(0);
    expect(report.records.read).toBeLessThan(3000);
    expect(report.records.forwarded).toBe(sink.messages.length);
    expect(report.records.forwarded).toBeGreaterThan(0);
  });

  it('reports a missing object as failed with NoSuchKey', async () => {
    const report = await processObject(ref(LOG_KEY), { source: new MemorySource(new Map()), sink: new RecordingSink(), logGroup: 'g' });
    expect(report).toMatchObject({ status: 'failed', error: { reason: 'NoSuchKey' } });
  });

  it.each([
    ['not JSON', gzipSync('hello'), 'MalformedJson'],
    ['no Records', gzipSync('{"foo":[]}'), 'MissingRecords'],
    ['a record that is not an object', gzipSync('{"Records":[{"eventTime":"2026-11-24T09:00:00Z"},"x"]}'), 'InvalidRecord'],
    ['an empty object', Buffer.alloc(0), 'EmptyObject'],
    ['not gzip', Buffer.from('{"Records":[]}'), 'CorruptGzip'],
  ])('reports %s as failed with a specific reason', async (_name, bytes, reason) => {
    const report = await processObject(ref(LOG_KEY), {
      source: new MemorySource(new Map([[LOG_KEY, bytes]])),
      sink: new RecordingSink(),
      logGroup: 'g',
    });
    expect(report.status).toBe('failed');
    expect(report.error?.reason).toBe(reason);
  });

  it('counts events CloudWatch Logs rejected one by one, and does not count them as forwarded', async () => {
    // Prepare: the sink rejects the two oldest and the newest event of each batch
    const sink = new RecordingSink((b) => ({ accepted: b.events.length - 3, rejected: { tooOld: 2, tooNew: 1, expired: 0 } }));
    const source = new MemorySource(new Map([[LOG_KEY, gz(Array.from({ length: 10 }, (_, i) => record(i)))]]));

    // Act
    const report = await processObject(ref(LOG_KEY), { source, sink, logGroup: 'g' });

    // Assess
    expect(report.records).toMatchObject({ read: 10, forwarded: 7, rejected: { tooOld: 2, tooNew: 1, expired: 0, tooLarge: 0 } });
  });

  it('counts a record too large to send, and uses the delivery time for a record without eventTime', async () => {
    // Prepare
    const limits = { maxBatchBytes: 2_000, eventOverheadBytes: 26, maxBatchEvents: 10, maxBatchSpanMs: 86_400_000, maxMessageBytes: 1_000 };
    const records = [record(1), record(2, { big: 'y'.repeat(2_000) }), { eventName: 'NoTime' }];
    const sink = new RecordingSink();

    // Act
    const report = await processObject(ref(LOG_KEY), {
      source: new MemorySource(new Map([[LOG_KEY, gz(records)]])),
      sink,
      logGroup: 'g',
      limits,
    });

    // Assess
    expect(report.records).toMatchObject({ read: 3, forwarded: 2, timestampFallback: 1, rejected: { tooLarge: 1 } });
    const noTime = sink.batches.flatMap((b) => b.batch.events).find((e) => e.message.includes('NoTime'));
    expect(noTime?.timestamp).toBe(Date.UTC(2026, 10, 24, 9, 5));
  });

  it('fails the file when the sink fails, without losing count of earlier batches', async () => {
    // Prepare: the third call fails
    let calls = 0;
    const sink: LogSink = {
      put: async (_t, b) => {
        if (++calls === 3) throw new Error('boom');
        return { accepted: b.events.length, rejected: { tooOld: 0, tooNew: 0, expired: 0 } };
      },
    };
    const limits = { maxBatchBytes: 5_000, eventOverheadBytes: 26, maxBatchEvents: 10, maxBatchSpanMs: 86_400_000, maxMessageBytes: 4_000 };
    const source = new MemorySource(new Map([[LOG_KEY, gz(Array.from({ length: 100 }, (_, i) => record(i)))]]));

    // Act
    const report = await processObject(ref(LOG_KEY), { source, sink, logGroup: 'g', limits, maxInFlight: 1 });

    // Assess
    expect(report.status).toBe('failed');
    expect(report.records.forwarded).toBe(20);
    expect(report.reason).toMatch(/boom/);
  });

  it('shows every record to the analysers, in file order, and collects their findings', async () => {
    // Prepare
    const seen: number[] = [];
    const finding = { ruleId: 'r', title: 't', severity: 'LOW' as const, source: 'rule' as const, object: ref(LOG_KEY), count: 1, dedupKey: 'd' };
    const analyser = { observe: (rs: readonly TrailRecord[]) => rs.forEach((r) => seen.push(r.index)), finish: () => [finding] };
    const source = new MemorySource(new Map([[LOG_KEY, gz(Array.from({ length: 50 }, (_, i) => record(i)))]]));

    // Act
    const report = await processObject(ref(LOG_KEY), { source, sink: new RecordingSink(), logGroup: 'g', analysersFor: () => [analyser] });

    // Assess
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(report.findings).toEqual([finding]);
  });
});

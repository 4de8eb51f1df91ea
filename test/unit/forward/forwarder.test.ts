import type { TrailRecord } from '../../../lib/cloudtrail/types';
import { sortedCalls, type LogBatch } from '../../../lib/forward/batcher';
import { Forwarder } from '../../../lib/forward/forwarder';
import type { LogSink, LogTarget, PutOutcome } from '../../../lib/forward/sink';

const DELIVERED = Date.UTC(2026, 10, 24, 9, 5);
const HOUR = 3_600_000;
const target: LogTarget = { group: '/trailwatch/test', stream: '111122223333_CloudTrail_us-east-1' };

/** Accepts everything and keeps what it was given. */
class RecordingSink implements LogSink {
  readonly batches: LogBatch[] = [];
  async put(_target: LogTarget, batch: LogBatch): Promise<PutOutcome> {
    this.batches.push(batch);
    return { accepted: batch.events.length, rejected: { tooOld: 0, tooNew: 0, expired: 0 } };
  }
}

function record(eventTime: unknown, index: number): TrailRecord {
  const text = JSON.stringify({ eventTime, eventID: `e${index}`, eventName: 'DescribeInstances' });
  return { text, record: { eventTime: eventTime as string, eventID: `e${index}` }, bytes: Buffer.byteLength(text), index };
}

async function forward(records: TrailRecord[]) {
  const sink = new RecordingSink();
  const forwarder = new Forwarder(sink, target, { fallbackTimestamp: DELIVERED });
  await forwarder.add(records);
  const counts = await forwarder.finish();
  const stamped = new Map(sink.batches.flatMap((b) => b.events.map((e) => [JSON.parse(e.message).eventID as string, e.timestamp] as const)));
  return { sink, counts, stamped };
}

describe('Forwarder', () => {
  it('regression (issue 9 item 8): an eventTime before 1970 is sent with the delivery time, counted as a timestamp fallback, never as a negative timestamp', async () => {
    // Prepare
    const records = ['1969-12-31T23:59:59Z', '1960-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '2026-11-24T09:00:00Z'].map(record);

    // Act
    const { sink, counts, stamped } = await forward(records);

    // Assess
    expect([...stamped.values()].every((t) => t >= 0)).toBe(true);
    expect(Object.fromEntries(stamped)).toEqual({ e0: DELIVERED, e1: DELIVERED, e2: DELIVERED, e3: Date.UTC(2026, 10, 24, 9) });
    expect(counts).toMatchObject({ forwarded: 4, timestampFallback: 3, calls: 1 });
    expect(sink.batches).toHaveLength(1);
  });

  it('regression (issue 9 item 9): loose dates Date.parse reads ("1", "12", "2026", "Dec 4") use the delivery time', async () => {
    // Prepare
    const records = ['1', '12', '2026', 'Dec 4', '2026-11-24', null, 20261124, '2026-11-24T09:04:59Z'].map(record);

    // Act
    const { counts, stamped } = await forward(records);

    // Assess
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => stamped.get(`e${i}`))).toEqual(Array(7).fill(DELIVERED));
    expect(stamped.get('e7')).toBe(Date.UTC(2026, 10, 24, 9, 4, 59));
    expect(counts).toMatchObject({ forwarded: 8, timestampFallback: 7 });
  });

  it('regression (issue 9 item 10): 10,000 records alternating between T and T − 25 h make 2 calls', async () => {
    // Prepare
    const t = Date.UTC(2026, 10, 24, 9);
    const records = Array.from({ length: 10_000 }, (_, i) => record(new Date((i % 2 === 0 ? t : t - 25 * HOUR) + (i % 300) * 1000).toISOString(), i));

    // Act
    const { sink, counts } = await forward(records);

    // Assess
    expect(counts).toMatchObject({ forwarded: 10_000, calls: 2 });
    expect(sink.batches.map((b) => b.events.length)).toEqual([5_000, 5_000]);
    expect(sortedCalls(sink.batches.flatMap((b) => b.events))).toBe(2);
  });

  it('refuses a fallback timestamp PutLogEvents would refuse', () => {
    expect(() => new Forwarder(new RecordingSink(), target, { fallbackTimestamp: -1 })).toThrow(RangeError);
    expect(() => new Forwarder(new RecordingSink(), target, { fallbackTimestamp: 1.5 })).toThrow(RangeError);
  });
});

describe('Forwarder, records held in several windows', () => {
  it('sends every record text unchanged (ASCII, multi-byte, escapes), each batch sorted and within 24 h', async () => {
    // Prepare: records over 13 days in scrambled order, so that every one is held across windows
    const notes = ['ConsoleLogin', 'ü✓ 日本 🚀', 'é', '\\ud800 escaped', 'tab\there'];
    const records = Array.from({ length: 600 }, (_, i) => {
      const eventTime = new Date(DELIVERED - ((Math.imul(i + 1, 2654435761) >>> 0) % (13 * 24 * HOUR))).toISOString().replace('.000Z', 'Z');
      const text = JSON.stringify({ eventTime, eventID: `e${i}`, note: notes[i % notes.length] });
      return { text, record: { eventTime, eventID: `e${i}` }, bytes: Buffer.byteLength(text), index: i };
    });

    // Act
    const { sink, counts } = await forward(records);

    // Assess: the texts sent are the texts read, once each
    const sent = sink.batches.flatMap((b) => b.events.map((e) => e.message));
    expect([...sent].sort()).toEqual(records.map((r) => r.text).sort());
    expect(counts.forwarded).toBe(records.length);
    for (const batch of sink.batches) {
      const ts = batch.events.map((e) => e.timestamp);
      expect(ts).toEqual([...ts].sort((a, b) => a - b));
      expect(ts[ts.length - 1]! - ts[0]!).toBeLessThanOrEqual(24 * HOUR);
      expect(batch.bytes).toBe(batch.events.reduce((n, e) => n + Buffer.byteLength(e.message) + 26, 0));
    }
  });
});

import fc from 'fast-check';
import {
  LogBatcher,
  OversizedEventError,
  PUT_LOG_EVENTS_LIMITS,
  minimumCalls,
  type LogBatch,
  type LogEvent,
} from '../../../lib/forward/batcher';

const HOUR = 3_600_000;
const L = PUT_LOG_EVENTS_LIMITS;

function event(timestamp: number, bytes: number, id = 0): LogEvent {
  // the message content does not matter to the batcher, only the declared byte count
  return { timestamp, bytes, message: `m${id}` };
}

function batchAll(events: LogEvent[], batcher = new LogBatcher()): LogBatch[] {
  const out: LogBatch[] = [];
  for (const e of events) {
    const closed = batcher.add(e);
    if (closed) out.push(closed);
  }
  const last = batcher.flush();
  if (last) out.push(last);
  return out;
}

/** What CloudWatch Logs checks for a whole call (the strict test server checks the same). */
function assertAcceptable(batch: LogBatch): void {
  expect(batch.events.length).toBeGreaterThan(0);
  expect(batch.events.length).toBeLessThanOrEqual(L.maxBatchEvents);
  const bytes = batch.events.reduce((s, e) => s + e.bytes + L.eventOverheadBytes, 0);
  expect(batch.bytes).toBe(bytes);
  expect(bytes).toBeLessThanOrEqual(L.maxBatchBytes);
  for (let i = 1; i < batch.events.length; i++) {
    expect(batch.events[i]!.timestamp).toBeGreaterThanOrEqual(batch.events[i - 1]!.timestamp);
  }
  expect(batch.events.at(-1)!.timestamp - batch.events[0]!.timestamp).toBeLessThanOrEqual(L.maxBatchSpanMs);
}

describe('LogBatcher', () => {
  it('counts 26 bytes per event: a batch closes exactly at 1,048,576 bytes', () => {
    // Prepare: 4 events of (262,144 − 26) bytes make exactly 1,048,576
    const size = 262_144 - 26;
    const events = [0, 1, 2, 3, 4].map((i) => event(1000 + i, size, i));

    // Act
    const batches = batchAll(events);

    // Assess
    expect(batches.map((b) => b.events.length)).toEqual([4, 1]);
    expect(batches[0]!.bytes).toBe(1_048_576);
  });

  it('closes a batch at 10,000 events', () => {
    const batches = batchAll(Array.from({ length: 20_001 }, (_, i) => event(i, 10, i)));
    expect(batches.map((b) => b.events.length)).toEqual([10_000, 10_000, 1]);
  });

  it('sorts events within a batch, keeping file order for equal timestamps', () => {
    // Prepare
    const events = [event(30, 5, 0), event(10, 5, 1), event(20, 5, 2), event(10, 5, 3)];

    // Act
    const [batch] = batchAll(events);

    // Assess
    expect(batch!.events.map((e) => e.message)).toEqual(['m1', 'm3', 'm2', 'm0']);
  });

  it('never lets a batch span more than 24 hours, even when later events fall between', () => {
    // Prepare: exactly 24 h is allowed, one millisecond more is not
    const t0 = 1_700_000_000_000;
    const events = [event(t0, 5, 0), event(t0 + 24 * HOUR, 5, 1), event(t0 + 24 * HOUR + 1, 5, 2), event(t0 + 1, 5, 3)];

    // Act
    const batches = batchAll(events);

    // Assess
    expect(batches.map((b) => b.events.map((e) => e.message))).toEqual([['m0', 'm1'], ['m3', 'm2']]);
    batches.forEach(assertAcceptable);
  });

  it('refuses an event that can never be sent, and says so before adding', () => {
    const b = new LogBatcher();
    expect(b.fits({ bytes: L.maxMessageBytes })).toBe(true);
    expect(b.fits({ bytes: L.maxMessageBytes + 1 })).toBe(false);
    expect(b.fits({ bytes: 0 })).toBe(false);
    expect(() => b.add(event(0, L.maxMessageBytes + 1))).toThrow(OversizedEventError);
    expect(b.pendingEvents).toBe(0);
  });

  it('accepts one maximum-size event alone in its batch', () => {
    const batches = batchAll([event(0, 10), event(1, L.maxMessageBytes), event(2, 10)]);
    expect(batches.map((b) => b.events.length)).toEqual([1, 1, 1]);
    batches.forEach(assertAcceptable);
  });

  it('flush on an empty batcher returns nothing', () => {
    expect(new LogBatcher().flush()).toBeUndefined();
  });

  it('property: every batch is acceptable, nothing is lost or duplicated, and packing is greedy', () => {
    const sizes = fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 1, max: 4_000 }) },
      { weight: 2, arbitrary: fc.integer({ min: 50_000, max: 262_144 }) },
      { weight: 1, arbitrary: fc.integer({ min: 500_000, max: L.maxMessageBytes }) },
    );
    const times = fc.oneof(
      fc.integer({ min: 0, max: 10 * 60_000 }), // a 5-minute CloudTrail file, roughly
      fc.integer({ min: 0, max: 72 * HOUR }), // replays and late events
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(times, sizes), { minLength: 1, maxLength: 400 }), (spec) => {
        // Prepare
        const events = spec.map(([t, s], i) => event(t, s, i));

        // Act
        const batches = batchAll(events);

        // Assess: acceptable
        batches.forEach(assertAcceptable);
        // nothing lost or duplicated
        const seen = batches.flatMap((b) => b.events.map((e) => e.message)).sort();
        expect(seen).toEqual(events.map((e) => e.message).sort());
        // greedy: batch k closed only because the first event of batch k+1 could not join it
        for (let k = 0; k + 1 < batches.length; k++) {
          const cur = batches[k]!;
          const opener = firstAdded(batches[k + 1]!, events);
          const ts = cur.events.map((e) => e.timestamp).concat(opener.timestamp);
          const wouldBreak =
            cur.events.length >= L.maxBatchEvents ||
            cur.bytes + opener.bytes + L.eventOverheadBytes > L.maxBatchBytes ||
            Math.max(...ts) - Math.min(...ts) > L.maxBatchSpanMs;
          expect(wouldBreak).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('packs a realistic file into the minimum number of calls', () => {
    // Prepare: 30,000 records of 600–3,000 bytes within five minutes
    const rnd = mulberry32(7);
    const events = Array.from({ length: 30_000 }, (_, i) => event(Math.floor(rnd() * 300_000), 600 + Math.floor(rnd() * 2400), i));
    const bytes = events.reduce((s, e) => s + e.bytes + L.eventOverheadBytes, 0);

    // Act
    const batches = batchAll(events);

    // Assess: greedy packing can lose at most one event's worth per batch
    expect(batches.length).toBeLessThanOrEqual(minimumCalls(events.length, bytes) + 1);
    batches.forEach(assertAcceptable);
  });
});

describe('minimumCalls', () => {
  it('is bound by bytes or by event count, whichever needs more calls', () => {
    expect(minimumCalls(10_001, 100)).toBe(2);
    expect(minimumCalls(10, 1_048_577)).toBe(2);
    expect(minimumCalls(1, 1)).toBe(1);
  });
});

/** The event that opened a batch: the first of its events in file order. */
function firstAdded(batch: LogBatch, events: LogEvent[]): LogEvent {
  const positions = batch.events.map((e) => events.indexOf(e));
  return events[Math.min(...positions)]!;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

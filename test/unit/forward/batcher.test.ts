import fc from 'fast-check';
import {
  BATCHER_CAPS,
  sortedCalls,
  InvalidTimestampError,
  LogBatcher,
  OversizedEventError,
  PUT_LOG_EVENTS_LIMITS,
  minimumCalls,
  packSorted,
  type LogBatch,
  type LogEvent,
} from '../../../lib/forward/batcher';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const L = PUT_LOG_EVENTS_LIMITS;

function event(timestamp: number, bytes: number, id = 0): LogEvent {
  // the message content does not matter to the batcher, only the declared byte count
  return { timestamp, bytes, message: `m${id}` };
}

function batchAll(events: LogEvent[], batcher = new LogBatcher(), watch?: (b: LogBatcher) => void): LogBatch[] {
  const out: LogBatch[] = [];
  for (const e of events) {
    const ready = batcher.add(e);
    if (ready) out.push(...ready);
    watch?.(batcher);
  }
  out.push(...batcher.flush());
  return out;
}

/** What CloudWatch Logs checks for a whole call (the strict test server checks the same). */
function assertAcceptable(batch: LogBatch): void {
  // plain checks first, one expect per batch: these run over 100,000-event inputs
  const ts = batch.events.map((e) => e.timestamp);
  const bytes = batch.events.reduce((s, e) => s + e.bytes + L.eventOverheadBytes, 0);
  const problems: string[] = [];
  if (batch.events.length < 1 || batch.events.length > L.maxBatchEvents) problems.push(`${batch.events.length} events`);
  if (batch.bytes !== bytes) problems.push(`declared ${batch.bytes} bytes, counted ${bytes}`);
  if (bytes > L.maxBatchBytes) problems.push(`${bytes} bytes`);
  for (let i = 1; i < ts.length; i++) if (ts[i]! < ts[i - 1]!) problems.push(`out of order at ${i}`);
  if (ts.length > 0 && ts[ts.length - 1]! - ts[0]! > L.maxBatchSpanMs) problems.push(`spans ${ts[ts.length - 1]! - ts[0]!} ms`);
  if (ts.some((t) => !Number.isSafeInteger(t) || t < 0)) problems.push('a timestamp that is not a non-negative integer');
  expect(problems).toEqual([]);
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

    // Assess: packed in time order, the first call takes everything within 24 h of its oldest event
    expect(batches.map((b) => b.events.map((e) => e.message))).toEqual([['m0', 'm3', 'm1'], ['m2']]);
    batches.forEach(assertAcceptable);
  });

  it('regression (issue 9 item 10): 10,000 records alternating between T and T − 25 h cost 2 calls, not 10,000', () => {
    // Prepare: a 5-minute file's records interleaved with records from the day before
    const t = Date.UTC(2026, 10, 24, 9);
    const events = Array.from({ length: 10_000 }, (_, i) => event((i % 2 === 0 ? t : t - 25 * HOUR) + (i % 300) * 1000, 100, i));

    // Act
    const batches = batchAll(events);

    // Assess
    expect(batches).toHaveLength(2);
    expect(sortedCalls(events)).toBe(2);
    batches.forEach(assertAcceptable);
    expect(batches.flatMap((b) => b.events).length).toBe(10_000);
  });

  it.each([
    ['alternating between T and T − 25 h', (i: number) => (i % 2 === 0 ? 0 : -25 * HOUR) + (i % 300) * 1000],
    ['spread at random over 13 days', (_i: number, rnd: () => number) => -Math.floor(rnd() * 13 * DAY)],
    ['13 days in turn (record i on day i mod 13, at any time of it)', (i: number, rnd: () => number) => -(i % 13) * DAY - Math.floor(rnd() * DAY)],
    ['5 minutes, 5 % of records up to 3 days late', (_i: number, rnd: () => number) => -(rnd() < 0.05 ? Math.floor(rnd() * 3 * DAY) : Math.floor(rnd() * 300_000))],
  ])('records %s cost at most 1.02 × the calls they cost sorted (10,000 and 100,000 records of 600–1,800 bytes)', (_label, offset) => {
    for (const n of [10_000, 100_000]) {
      // Prepare
      const rnd = mulberry32(n);
      const t = Date.UTC(2026, 10, 24, 9);
      const events = Array.from({ length: n }, (_, i) => event(t + offset(i, rnd), 600 + Math.floor(rnd() * 1200), i));

      // Act
      const batches = batchAll(events);

      // Assess
      const fewest = sortedCalls(events);
      expect(batches.length).toBeLessThanOrEqual(Math.floor(1.02 * fewest));
      batches.forEach(assertAcceptable);
      expect(batches.reduce((sum, b) => sum + b.events.length, 0)).toBe(n);
    }
  });

  it('holds a bounded number of windows and events, sending the oldest window or the fullest window\'s fullest batch when over a cap', () => {
    // Prepare: records over 40 days in turn, with caps small enough to be hit
    const caps = { maxOpenWindows: 5, maxHeldBytes: 4 * L.maxBatchBytes, maxHeldEvents: 3_000 };
    const events = Array.from({ length: 20_000 }, (_, i) => event(Date.UTC(2026, 10, 24) - (i % 40) * DAY - i, 500 + (i % 7) * 100, i));
    let maxWindows = 0;
    let maxHeld = 0;

    // Act
    const batches = batchAll(events, new LogBatcher(L, caps), (b) => {
      maxWindows = Math.max(maxWindows, b.openWindows);
      maxHeld = Math.max(maxHeld, b.pendingEvents);
    });

    // Assess
    expect(maxWindows).toBe(5);
    expect(maxHeld).toBeLessThanOrEqual(3_000);
    batches.forEach(assertAcceptable);
    expect(batches.flatMap((b) => b.events.map((e) => e.message)).sort()).toEqual(events.map((e) => e.message).sort());
  });

  it('default caps: 1.5 batches per window, 32 MB and 320,000 events held, 1,024 windows', () => {
    expect(BATCHER_CAPS).toEqual({ holdBatches: 1.5, maxOpenWindows: 1024, maxHeldBytes: 32 * 1_048_576, maxHeldEvents: 320_000 });
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses timestamp %p, which PutLogEvents would refuse the whole call for', (timestamp) => {
    const b = new LogBatcher();
    expect(() => b.add(event(timestamp, 10))).toThrow(InvalidTimestampError);
    expect(b.pendingEvents).toBe(0);
  });

  it('refuses an event that can never be sent, and says so before adding', () => {
    const b = new LogBatcher();
    expect(b.fits({ bytes: L.maxMessageBytes })).toBe(true);
    expect(b.fits({ bytes: L.maxMessageBytes + 1 })).toBe(false);
    expect(b.fits({ bytes: 0 })).toBe(false);
    expect(() => b.add(event(0, L.maxMessageBytes + 1))).toThrow(OversizedEventError);
    expect(b.pendingEvents).toBe(0);
  });

  it('accepts one maximum-size event alone in its batch; the small ones around it share one', () => {
    const batches = batchAll([event(0, 10, 0), event(1, L.maxMessageBytes, 1), event(2, 10, 2)]);
    expect(batches.map((b) => b.events.map((e) => e.message))).toEqual([['m1'], ['m0', 'm2']]);
    batches.forEach(assertAcceptable);
  });

  it('flush on an empty batcher returns nothing', () => {
    expect(new LogBatcher().flush()).toEqual([]);
  });

  const sizes = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 4_000 }) },
    { weight: 2, arbitrary: fc.integer({ min: 50_000, max: 262_144 }) },
    { weight: 1, arbitrary: fc.integer({ min: 500_000, max: L.maxMessageBytes }) },
  );
  const times = fc.oneof(
    fc.integer({ min: 0, max: 10 * 60_000 }), // a 5-minute CloudTrail file, roughly
    fc.integer({ min: 0, max: 72 * HOUR }), // replays and late events
  );
  const files = fc.array(fc.tuple(times, sizes), { minLength: 1, maxLength: 400 });

  it('property: every batch is acceptable, nothing is lost or duplicated', () => {
    fc.assert(
      fc.property(files, (spec) => {
        // Prepare
        const events = spec.map(([t, s], i) => event(t, s, i));

        // Act
        const batches = batchAll(events);

        // Assess: acceptable
        batches.forEach(assertAcceptable);
        // nothing lost or duplicated
        const seen = batches.flatMap((b) => b.events.map((e) => e.message)).sort();
        expect(seen).toEqual(events.map((e) => e.message).sort());
      }),
      { numRuns: 300 },
    );
  });

  it('property: at most one call more than the events cost sorted, in any order and mix of sizes', () => {
    // A measured bound, not a proven one (no excess over 1 in 400,000 random runs while
    // writing it): the seed is pinned so that the test is deterministic.
    fc.assert(
      fc.property(files, (spec) => {
        const events = spec.map(([t, s], i) => event(t, s, i));
        expect(batchAll(events).length).toBeLessThanOrEqual(sortedCalls(events) + 1);
      }),
      { numRuns: 300, seed: 20261124 },
    );
  });

  it('packs a realistic file into the minimum number of calls, in any order', () => {
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

describe('LogBatcher, events held in several windows (packed outside the heap)', () => {
  it.each([
    ['ASCII', '{"eventName":"ConsoleLogin"}'],
    ['Latin-1', '{"note":"café"}'],
    ['multi-byte', '{"note":"ü✓ 日本 🚀"}'],
    ['a lone surrogate (kept as it is)', '{"x":"\ud800"}'],
    ['empty-looking control characters', '\u0000\u0001 x'],
  ])('gives back the same message: %s', (_label, message) => {
    // Prepare: the first event opens a window, the second a window 3 days away, so the third
    // (in the first window) is held packed
    const batcher = new LogBatcher();
    const bytes = Buffer.byteLength(message, 'utf8');
    const events = [event(10 * DAY, 10, 0), event(7 * DAY, 10, 1), { timestamp: 10 * DAY + 1, message, bytes }];

    // Act
    const batches = batchAll(events, batcher);

    // Assess
    expect(batches.flatMap((b) => b.events.map((e) => e.message))).toEqual(['m1', 'm0', message]);
  });

  it('property: unicode messages in any order come back unchanged, once each, in acceptable batches', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ day: fc.integer({ min: 0, max: 20 }), ms: fc.integer({ min: 0, max: DAY - 1 }), message: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }) }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        (drawn, batchEvents) => {
          // small calls, so that windows send batches while others are open
          const limits = { ...L, maxBatchEvents: batchEvents };
          const events = drawn.map((d) => ({ timestamp: d.day * DAY + d.ms, message: d.message, bytes: Buffer.byteLength(d.message, 'utf8') }));
          const batches = batchAll(events, new LogBatcher(limits));
          const sent = batches.flatMap((b) => b.events);
          expect(sent.map((e) => `${e.timestamp} ${e.message}`).sort()).toEqual(events.map((e) => `${e.timestamp} ${e.message}`).sort());
          for (const b of batches) {
            const ts = b.events.map((e) => e.timestamp);
            expect(b.events.length).toBeLessThanOrEqual(batchEvents);
            expect(ts).toEqual([...ts].sort((x, y) => x - y));
            expect(ts[ts.length - 1]! - ts[0]!).toBeLessThanOrEqual(L.maxBatchSpanMs);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('drain gives the batches flush gives, one at a time, and leaves the batcher empty', () => {
    const events = Array.from({ length: 50 }, (_, i) => event(((i * 7) % 5) * DAY + i, 100, i));
    const viaFlush = batchAll(events, new LogBatcher(L, { holdBatches: 100 }));
    const batcher = new LogBatcher(L, { holdBatches: 100 });
    const early: LogBatch[] = [];
    for (const e of events) early.push(...(batcher.add(e) ?? []));
    const drained = batcher.drain();
    expect(batcher.pendingEvents).toBe(0);
    expect(batcher.openWindows).toBe(0);
    expect([...early, ...drained]).toEqual(viaFlush);
  });
});

describe('packSorted and sortedCalls', () => {
  it('cuts a sorted run by count, bytes and span', () => {
    const events = [event(0, 10, 0), event(DAY, 10, 1), event(DAY + 1, 10, 2), event(DAY + 2, L.maxMessageBytes, 3)];
    expect(packSorted(events).map((b) => b.events.map((e) => e.message))).toEqual([['m0', 'm1'], ['m2'], ['m3']]);
    expect(sortedCalls([...events].reverse())).toBe(3);
  });
});

describe('minimumCalls', () => {
  it('is bound by bytes or by event count, whichever needs more calls', () => {
    expect(minimumCalls(10_001, 100)).toBe(2);
    expect(minimumCalls(10, 1_048_577)).toBe(2);
    expect(minimumCalls(1, 1)).toBe(1);
  });
});

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

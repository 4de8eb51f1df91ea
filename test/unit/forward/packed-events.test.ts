import { LogBatcher, PUT_LOG_EVENTS_LIMITS, type LogEvent } from '../../../lib/forward/batcher';
import { EventSlabs, PackedEvent, SLAB_BYTES, SlabPool } from '../../../lib/forward/packed-events';

const DAY = 24 * 3_600_000;

/** A deterministic message of about `chars` characters; every 7th one not ASCII (2- and 3-byte characters, a lone surrogate). */
function message(i: number, chars: number): string {
  const body = `{"i":${i},"pad":"${String.fromCharCode(97 + (i % 26)).repeat(chars)}"}`;
  return i % 7 === 3 ? `${body}é✓\ud800` : body;
}

function logEvent(i: number, timestamp: number, chars: number): LogEvent {
  const text = message(i, chars);
  return { timestamp, message: text, bytes: Buffer.byteLength(text, 'utf8') };
}

/** An event as a comparable string: timestamp, bytes and the message itself. */
const key = (e: LogEvent) => `${e.timestamp} ${e.bytes} ${e.message}`;

/** Every event through the batcher, then drained: what it sent, and how many batches it sent before the end. */
function sendAll(batcher: LogBatcher, events: readonly LogEvent[]): { sent: LogEvent[]; early: number } {
  const sent: LogEvent[] = [];
  let early = 0;
  for (const e of events) {
    const ready = batcher.add(e) ?? [];
    early += ready.length;
    for (const b of ready) sent.push(...b.events);
  }
  for (const b of batcher.drain()) sent.push(...b.events);
  return { sent, early };
}

describe('EventSlabs', () => {
  it('gives back every message unchanged across several slabs and for a message too large for one', () => {
    const slabs = new EventSlabs();
    // ~1.5 KB each: several slabs' worth; one of 100 KB (its own Buffer)
    const events = Array.from({ length: 300 }, (_, i) => logEvent(i, i, i === 150 ? 100_000 : 1_500));
    const packed = events.map((e) => slabs.pack(e));

    expect(new Set(packed.map((p) => p.slab)).size).toBeGreaterThan(2);
    expect(packed.map((p) => p.unpack())).toEqual(events);
  });

  it('compacts once more than half of what its slabs hold was sent, keeping the held messages', () => {
    const slabs = new EventSlabs();
    const events = Array.from({ length: 400 }, (_, i) => logEvent(i, i, 1_500));
    const packed = events.map((e) => slabs.pack(e));
    const slabsBefore = new Set(packed.map((p) => p.slab));

    // Act: all but every tenth one sent
    const kept = packed.filter((_, i) => i % 10 === 0);
    slabs.release(packed.filter((_, i) => i % 10 !== 0));
    slabs.compact(kept);

    // Assess: 40 messages of ~1.5–3 KB fit one slab, none of those written before
    expect(slabsBefore.size).toBeGreaterThan(3);
    expect(kept.reduce((s, p) => s + p.end - p.start, 0)).toBeLessThan(SLAB_BYTES);
    expect(new Set(kept.map((p) => p.slab)).size).toBe(1);
    expect(slabsBefore.has(kept[0]!.slab!)).toBe(false);
    expect(kept.map((p) => p.unpack())).toEqual(events.filter((_, i) => i % 10 === 0));
  });

  it('does not compact while at most half of its slabs is dead space', () => {
    const slabs = new EventSlabs();
    const packed = Array.from({ length: 400 }, (_, i) => slabs.pack(logEvent(i, i, 1_500)));
    const before = packed.map((p) => p.slab);
    slabs.release(packed.slice(0, 150));
    slabs.compact(packed.slice(150));
    // identity, not toEqual: comparing 128 KB Slabs byte by byte is very slow
    expect(packed.slice(150).every((p, i) => p.slab === before[150 + i])).toBe(true);
    expect(packed.slice(0, 150).every((p) => p.slab === null)).toBe(true);
  });

  it('gives a slab back to the pool once all its events were sent, and the next slab taken is that one', () => {
    const pool = new SlabPool();
    const slabs = new EventSlabs(pool);
    const packed = Array.from({ length: 200 }, (_, i) => slabs.pack(logEvent(i, i, 1_500)));
    const first = packed[0]!.slab!;
    const onFirst = packed.filter((p) => p.slab === first);
    expect(onFirst.length).toBeGreaterThan(10);
    expect(pool.freeSlabs).toBe(0);

    slabs.release(onFirst.slice(0, -1));
    expect(pool.freeSlabs).toBe(0); // one of its events still held
    slabs.release(onFirst.slice(-1));
    expect(pool.freeSlabs).toBe(1);

    const other = new EventSlabs(pool);
    const next = other.pack(logEvent(999, 999, 1_500));
    expect(next.slab === first).toBe(true); // identity: a diff of two 128 KB slabs would take minutes
    expect(next.unpack().message).toBe(message(999, 1_500));
    expect(packed.slice(onFirst.length).map((p) => p.unpack())).toEqual(Array.from({ length: 200 - onFirst.length }, (_, i) => logEvent(i + onFirst.length, i + onFirst.length, 1_500)));
  });

  it('refuses a slab still in use: given twice, or with events still held in it', () => {
    const pool = new SlabPool();
    const slabs = new EventSlabs(pool);
    const packed = Array.from({ length: 200 }, (_, i) => slabs.pack(logEvent(i, i, 1_500)));
    const first = packed[0]!.slab!;
    expect(() => pool.give(first)).toThrow(/in use/);
    slabs.release(packed.filter((p) => p.slab === first));
    expect(pool.freeSlabs).toBe(1);
    expect(() => pool.give(first)).toThrow(/in use/);
    expect(pool.freeSlabs).toBe(1);
  });

  it('refuses to read an event after it was released (its slab may hold other events by then)', () => {
    const slabs = new EventSlabs();
    const packed = slabs.pack(logEvent(1, 1, 100));
    slabs.release([packed]);
    expect(() => packed.unpack()).toThrow(/after it was released/);
  });

  it('keeps every held message intact while windows sharing a pool pack, send and compact in random order', () => {
    // deterministic pseudo-random steps: slabs go back to the pool and are reused by the
    // other window while both still hold events; any held event read from a reused slab fails
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const pool = new SlabPool();
    const windows = [new EventSlabs(pool), new EventSlabs(pool)];
    const held: Array<Array<{ packed: PackedEvent; event: LogEvent }>> = [[], []];
    let n = 0;
    for (let step = 0; step < 3_000; step++) {
      const w = random() < 0.5 ? 0 : 1;
      const slabs = windows[w]!;
      const mine = held[w]!;
      if (random() < 0.6 || mine.length === 0) {
        const event = logEvent(n, n, 200 + Math.floor(random() * (random() < 0.02 ? 40_000 : 3_000)));
        n++;
        mine.push({ packed: slabs.pack(event), event });
        continue;
      }
      // send a random stretch, then compact as the batcher does
      const from = Math.floor(random() * mine.length);
      const sent = mine.splice(from, 1 + Math.floor(random() * Math.min(40, mine.length - from)));
      for (const s of sent) expect(s.packed.unpack()).toEqual(s.event);
      slabs.release(sent.map((s) => s.packed));
      slabs.compact(mine.map((h) => h.packed));
    }
    for (const mine of held) for (const h of mine) expect(h.packed.unpack()).toEqual(h.event);
    expect(n).toBeGreaterThan(1_500);
  });
});

describe('LogBatcher with slabs', () => {
  it('gives every slab back at the end of a file, and the next files reuse them with every message intact', () => {
    const limits = { ...PUT_LOG_EVENTS_LIMITS, maxBatchEvents: 150 };
    const pool = new SlabPool();
    const freeAfter: number[] = [];
    for (let file = 0; file < 4; file++) {
      // each file over 2–5 days in scrambled order, some messages large enough for a Buffer of their own
      const days = 2 + file;
      const events = Array.from({ length: 1_500 }, (_, i) =>
        logEvent(i + file * 10_000, ((Math.imul(i + 1 + file, 2654435761) >>> 0) % (days * DAY)) + DAY, i % 97 === 5 ? 40_000 : 500 + ((i * 7) % 1_500)),
      );
      const { sent } = sendAll(new LogBatcher(limits, {}, pool), events);
      expect(sent.map(key).sort()).toEqual(events.map(key).sort());
      freeAfter.push(pool.freeSlabs);
    }
    // every file leaves its slabs in the pool; later files take them rather than new ones
    expect(freeAfter.every((n) => n > 3)).toBe(true);
    expect(Math.max(...freeAfter)).toBeLessThan(freeAfter[0]! * 3);
  });

  it('sends every message unchanged when too many windows are open and the oldest is sent whole', () => {
    // 3 windows at most over 12 days in scrambled order: windows are closed whole again and
    // again while the others hold events, and their slabs go back to the pool
    const pool = new SlabPool();
    const events = Array.from({ length: 1_500 }, (_, i) => logEvent(i, ((Math.imul(i + 1, 2654435761) >>> 0) % (12 * DAY)) + DAY, 300 + ((i * 11) % 1_700)));
    const batcher = new LogBatcher(PUT_LOG_EVENTS_LIMITS, { maxOpenWindows: 3 }, pool);
    const { sent, early } = sendAll(batcher, events);

    expect(early).toBeGreaterThan(100);
    expect(sent.map(key).sort()).toEqual(events.map(key).sort());
    expect(pool.freeSlabs).toBeGreaterThan(0);
  });

  it('keeps two files read at once apart when their batchers share a pool', () => {
    // as when one invocation handles several objects: adds alternate between the two files,
    // slabs one file gave back are taken by the other while both still hold events
    const limits = { ...PUT_LOG_EVENTS_LIMITS, maxBatchEvents: 120 };
    const pool = new SlabPool();
    const files = [0, 1].map((f) =>
      Array.from({ length: 1_800 }, (_, i) => logEvent(i + f * 100_000, ((Math.imul(i + 1, 2654435761 + f * 2) >>> 0) % ((3 + f) * DAY)) + DAY, 400 + ((i * 13 + f * 7) % 1_600))),
    );
    const batchers = files.map(() => new LogBatcher(limits, {}, pool));
    const sent: LogEvent[][] = [[], []];
    for (let i = 0; i < 1_800; i++) {
      for (const f of [0, 1]) for (const b of batchers[f]!.add(files[f]![i]!) ?? []) sent[f]!.push(...b.events);
    }
    // one drains while the other still holds everything it has, then the other
    for (const b of batchers[0]!.drain()) sent[0]!.push(...b.events);
    for (const b of batchers[1]!.drain()) sent[1]!.push(...b.events);

    for (const f of [0, 1]) expect(sent[f]!.map(key).sort()).toEqual(files[f]!.map(key).sort());
    expect(pool.freeSlabs).toBeGreaterThan(0);
  });

  it('sends every message of a file spread over days exactly once, unchanged, while windows send and compact', () => {
    // ~3 MB over 3 days in scrambled order, batches of 200 events: windows pass their hold
    // limit again and again, so batches are taken out of slabs and slabs are compacted
    const limits = { ...PUT_LOG_EVENTS_LIMITS, maxBatchEvents: 200 };
    const events = Array.from({ length: 2_000 }, (_, i) => logEvent(i, ((Math.imul(i + 1, 2654435761) >>> 0) % (3 * DAY)) + DAY, 800 + (i % 1_200)));
    const batcher = new LogBatcher(limits);
    const { sent, early } = sendAll(batcher, events);

    expect(early).toBeGreaterThan(3);
    expect(sent.map(key).sort()).toEqual(events.map(key).sort());
  });
});

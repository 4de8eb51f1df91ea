import { LogBatcher, PUT_LOG_EVENTS_LIMITS, type LogEvent } from '../../../lib/forward/batcher';
import { EventSlabs, PackedEvent, SLAB_BYTES } from '../../../lib/forward/packed-events';

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
    const slabsBefore = new Set(packed.map((p) => p.slab)).size;

    // Act: all but every tenth one sent
    const kept = packed.filter((_, i) => i % 10 === 0);
    slabs.release(packed.filter((_, i) => i % 10 !== 0));
    slabs.compact(kept);

    // Assess: 40 messages of ~1.5–3 KB fit one fresh slab
    expect(slabsBefore).toBeGreaterThan(3);
    expect(kept.reduce((s, p) => s + p.end - p.start, 0)).toBeLessThan(SLAB_BYTES);
    expect(new Set(kept.map((p) => p.slab)).size).toBe(1);
    expect(kept.every((p) => !packed.slice(1, 10).some((sent) => sent.slab === p.slab))).toBe(true);
    expect(kept.map((p) => p.unpack())).toEqual(events.filter((_, i) => i % 10 === 0));
  });

  it('does not compact while at most half of its slabs is dead space', () => {
    const slabs = new EventSlabs();
    const packed = Array.from({ length: 400 }, (_, i) => slabs.pack(logEvent(i, i, 1_500)));
    const before = packed.map((p) => p.slab);
    slabs.release(packed.slice(0, 150));
    slabs.compact(packed.slice(150));
    // identity, not toEqual: comparing 128 KB Buffers byte by byte is very slow
    expect(packed.every((p, i) => p.slab === before[i])).toBe(true);
    expect(packed.every((p) => p instanceof PackedEvent)).toBe(true);
  });
});

describe('LogBatcher with slabs', () => {
  it('sends every message of a file spread over days exactly once, unchanged, while windows send and compact', () => {
    // ~3 MB over 3 days in scrambled order, batches of 200 events: windows pass their hold
    // limit again and again, so batches are taken out of slabs and slabs are compacted
    const limits = { ...PUT_LOG_EVENTS_LIMITS, maxBatchEvents: 200 };
    const events = Array.from({ length: 2_000 }, (_, i) => logEvent(i, ((Math.imul(i + 1, 2654435761) >>> 0) % (3 * DAY)) + DAY, 800 + (i % 1_200)));
    const batcher = new LogBatcher(limits);
    const sent: LogEvent[] = [];
    let early = 0;
    for (const e of events) {
      const ready = batcher.add(e) ?? [];
      early += ready.length;
      for (const b of ready) sent.push(...b.events);
    }
    for (const b of batcher.drain()) sent.push(...b.events);

    expect(early).toBeGreaterThan(3);
    const key = (e: LogEvent) => `${e.timestamp} ${e.bytes} ${e.message}`;
    expect(sent.map(key).sort()).toEqual(events.map(key).sort());
  });
});

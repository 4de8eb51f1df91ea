/**
 * Events the batcher holds while several windows are open, copied out of V8's heap into one
 * window's slabs (large Buffers the window appends to), and turned back into strings when
 * their batch is sent.
 *
 * Why a copy: a message is usually a slice of a 64 KB chunk of the decompressed file
 * (record-reader), and V8 keeps the whole chunk alive while the slice lives; events held in
 * several windows come from all over the file, so their slices kept nearly every chunk read
 * so far alive (measured, 100 MB file spread over 13 days: live heap after GC 97.5 MB above
 * the start uncopied, 27.8 MB copied).
 *
 * Why outside the heap: such events live until the end of the file or of their window, so
 * a copy on the heap was copied again by the young-generation collection it survived and
 * once more when promoted (on the 10 MB file spread over 13 days that was the whole
 * difference from the same file in order). Bytes in a Buffer are never moved by the GC.
 *
 * Why slabs: a Buffer of its own per event (`Buffer.from`, issue 15's first version) cost a
 * Buffer object per event and a fresh 8 KB pool ArrayBuffer every few events, and made the
 * CPU profile of the 13-day file ~3 % packing and ~3 % unpacking. A slab is one Buffer for
 * ~100 events: packing is one write into it, the event keeps (slab, start, end).
 *
 * Why a pool (`SlabPool`): a slab whose events were all sent is used again, not left to the
 * GC. A slab's bytes are external memory to V8, which counts it towards starting a full
 * mark-compact; with every message of an out-of-order file passing through slabs, fresh
 * slabs set one off every ~10 MB read (100 MB interleaved file: 27 mark-compacts in three
 * runs instead of 3, ≈ 25 % of its CPU as the Lambda). Reused slabs keep external memory
 * flat. The batchers of a process share one pool, so the slabs of one file serve the next
 * (a pool per file still made the 13-day file allocate ~30 MB of slabs per run and
 * mark-compact ~4 times). A slab goes back to the pool only when no held event points into
 * it (its live bytes are 0, or compaction moved them all), and an event sent lets go of its
 * slab, so nothing can read a reused slab through an old event.
 *
 * Memory: the bytes of events that were sent stay in their slab until all of its events are
 * sent. When more than half of what a window's slabs hold (and at least a slab's worth) is
 * such dead space, the window copies what it still holds into other slabs (`compact`), so its
 * slabs hold at most about twice its held bytes plus one slab; each byte is copied about once
 * more at most. Messages over MAX_IN_SLAB bytes get a Buffer of their own (rare: CloudTrail
 * records are mostly 1–5 KB), never pooled nor compacted.
 */
import type { LogEvent } from './batcher';

/** One slab's bytes: ~90 CloudTrail records of ~1.4 KB. */
export const SLAB_BYTES = 128 * 1024;
/** Larger messages (their packed bytes) are not put in a slab. */
const MAX_IN_SLAB = SLAB_BYTES / 4;
/** Free slabs a pool keeps: 32 MB, what a batcher may hold (BATCHER_CAPS.maxHeldBytes); more go to the GC. */
const MAX_FREE_SLABS = 256;

/** Bytes that events are packed into, and how much of them is in use. */
export class Slab {
  /** Bytes written from offset 0 (events and alignment). */
  used = 0;
  /** Of those, the bytes of events still held. */
  live = 0;
  /** In a pool's free list: nothing may write to it until it is taken again. */
  free = false;

  constructor(
    readonly buffer: Buffer,
    /** A single large message's own bytes: not shared, never pooled nor compacted. */
    readonly own: boolean,
  ) {}
}

/** Free slabs of SLAB_BYTES, shared by the windows of the batchers that use the pool (by default every batcher of the process). */
export class SlabPool {
  private readonly freeList: Slab[] = [];

  take(): Slab {
    const slab = this.freeList.pop();
    if (slab === undefined) {
      // not from Node's pool (Buffer.allocUnsafe would take it for small sizes); never read
      // beyond what was written, so uninitialised or reused memory is fine
      return new Slab(Buffer.allocUnsafeSlow(SLAB_BYTES), false);
    }
    slab.free = false;
    return slab;
  }

  /** A slab no held event points into. */
  give(slab: Slab): void {
    // given twice, it would be taken twice and two windows would write into it
    if (slab.free || slab.own || slab.live !== 0) throw new Error('a slab in use was given back to the pool');
    slab.used = 0;
    if (this.freeList.length < MAX_FREE_SLABS) {
      slab.free = true;
      this.freeList.push(slab);
    }
  }

  get freeSlabs(): number {
    return this.freeList.length;
  }
}

/**
 * An event packed in a slab: Latin-1 bytes for an ASCII message, else UTF-16 code units
 * (the same characters back, a lone surrogate too).
 */
export class PackedEvent {
  constructor(
    readonly timestamp: number,
    readonly bytes: number,
    /** Moved by `EventSlabs.compact`; null once the event is released (its slab may be reused). */
    public slab: Slab | null,
    public start: number,
    public end: number,
    readonly latin1: boolean,
  ) {}

  unpack(): LogEvent {
    if (this.slab === null) throw new Error('a packed event was read after it was released');
    return { timestamp: this.timestamp, message: this.slab.buffer.toString(this.latin1 ? 'latin1' : 'utf16le', this.start, this.end), bytes: this.bytes };
  }

  /**
   * Unpacks an event whose window is gone (sent whole at the end of the file, or as the
   * oldest of too many) and lets go of it: its slab goes back to `pool` once the last of
   * its events is unpacked, ready for the next file.
   */
  unpackLast(pool: SlabPool): LogEvent {
    const event = this.unpack();
    const emptied = this.letGo();
    if (emptied !== undefined) pool.give(emptied);
    return event;
  }

  /**
   * Lets go of its slab (reading the event afterwards throws). Returns that slab when it is
   * shared and no event points into it any more: the caller decides where it goes.
   */
  letGo(): Slab | undefined {
    const slab = this.slab;
    this.slab = null;
    if (slab === null || slab.own) return undefined;
    slab.live -= this.end - this.start;
    return slab.live === 0 ? slab : undefined;
  }
}

/** The slabs of one window. */
export class EventSlabs {
  /** The slab new events go to. */
  private current: Slab | undefined;
  /** Σ `used` of this window's shared slabs. */
  private written = 0;
  /** Σ `live` of this window's shared slabs: the bytes of events it holds. */
  private held = 0;

  constructor(private readonly pool: SlabPool = new SlabPool()) {}

  pack(event: LogEvent): PackedEvent {
    const message = event.message;
    // `bytes` is the message's UTF-8 length (LogEvent): equal to its length only when every
    // character is ASCII, which Latin-1 holds one byte each. Anything else: UTF-16 code units.
    const latin1 = event.bytes === message.length;
    const encoding = latin1 ? 'latin1' : 'utf16le';
    const size = latin1 ? message.length : message.length * 2;
    if (size > MAX_IN_SLAB) {
      const own = new Slab(Buffer.allocUnsafeSlow(size), true);
      own.buffer.write(message, 0, size, encoding);
      return new PackedEvent(event.timestamp, event.bytes, own, 0, size, latin1);
    }
    const slab = this.reserve(size, latin1);
    const start = slab.used - size;
    slab.buffer.write(message, start, size, encoding);
    return new PackedEvent(event.timestamp, event.bytes, slab, start, start + size, latin1);
  }

  /**
   * Events sent (after they were unpacked): each lets go of its slab, and a slab none of
   * this window's events points into any more goes back to the pool.
   */
  release(events: ReadonlyArray<LogEvent | PackedEvent>): void {
    for (const event of events) {
      if (!(event instanceof PackedEvent) || event.slab === null) continue;
      if (!event.slab.own) this.held -= event.end - event.start;
      const emptied = event.letGo();
      if (emptied === undefined) continue;
      this.written -= emptied.used;
      if (emptied === this.current) emptied.used = 0;
      else this.pool.give(emptied);
    }
  }

  /**
   * Copies the held events' bytes into other slabs once more than half of the slabs' bytes
   * (and at least a slab's worth) belong to events already sent, and gives the old slabs
   * back to the pool. `events` must be every event the window still holds (else an old
   * slab still holds live bytes, and the pool refuses it).
   */
  compact(events: ReadonlyArray<LogEvent | PackedEvent>): void {
    if (this.written - this.held <= Math.max(this.held, SLAB_BYTES)) return;
    const old = new Set<Slab>();
    if (this.current !== undefined) old.add(this.current);
    this.current = undefined;
    this.written = 0;
    this.held = 0;
    for (const event of events) {
      if (!(event instanceof PackedEvent) || event.slab === null || event.slab.own) continue;
      const size = event.end - event.start;
      const slab = this.reserve(size, event.latin1);
      const start = slab.used - size;
      event.slab.buffer.copy(slab.buffer, start, event.start, event.end);
      event.slab.live -= size;
      old.add(event.slab);
      event.slab = slab;
      event.start = start;
      event.end = start + size;
    }
    for (const slab of old) this.pool.give(slab);
  }

  /** The window holds nothing any more: its current slab goes back to the pool. */
  close(): void {
    if (this.current !== undefined && this.current.live === 0) this.pool.give(this.current);
    this.current = undefined;
  }

  /** The slab `size` more bytes go to, at its `used - size` (`this.current`, or one from the pool when they do not fit in it). */
  private reserve(size: number, latin1: boolean): Slab {
    let slab = this.current;
    // UTF-16 at an even offset: Node then reads the code units in place rather than through a copy
    let start = slab === undefined ? 0 : latin1 ? slab.used : (slab.used + 1) & ~1;
    if (slab === undefined || start + size > SLAB_BYTES) {
      slab = this.current = this.pool.take();
      start = 0;
    }
    this.written += start + size - slab.used;
    slab.used = start + size;
    slab.live += size;
    this.held += size;
    return slab;
  }
}

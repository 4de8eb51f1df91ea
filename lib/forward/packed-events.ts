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
 * Memory: the bytes of events that were sent stay in their slab until the slab goes. When
 * more than half of what a window's slabs hold (and at least a slab's worth) was sent, the
 * window copies what it still holds into fresh slabs (`compact`), so its slabs hold at most
 * about twice its held bytes plus one slab; each byte is copied about once more at most.
 * Messages over MAX_IN_SLAB bytes get a Buffer of their own (rare: CloudTrail records are
 * mostly 1–5 KB).
 */
import type { LogEvent } from './batcher';

/** One slab's bytes: ~90 CloudTrail records of ~1.4 KB. */
export const SLAB_BYTES = 128 * 1024;
/** Larger messages (their packed bytes) are not put in a slab. */
const MAX_IN_SLAB = SLAB_BYTES / 4;

/**
 * An event packed in a slab: Latin-1 bytes for an ASCII message, else UTF-16 code units
 * (the same characters back, a lone surrogate too).
 */
export class PackedEvent {
  constructor(
    readonly timestamp: number,
    readonly bytes: number,
    /** Moved by `EventSlabs.compact`. */
    public slab: Buffer,
    public start: number,
    public end: number,
    readonly latin1: boolean,
  ) {}

  unpack(): LogEvent {
    return { timestamp: this.timestamp, message: this.slab.toString(this.latin1 ? 'latin1' : 'utf16le', this.start, this.end), bytes: this.bytes };
  }
}

/** The slabs of one window. */
export class EventSlabs {
  private slab: Buffer | undefined;
  private used = 0;
  /** Bytes put in slabs since the last compaction, sent or not. */
  private written = 0;
  /** Of those, the bytes of events still held. */
  private held = 0;

  pack(event: LogEvent): PackedEvent {
    const message = event.message;
    // `bytes` is the message's UTF-8 length (LogEvent): equal to its length only when every
    // character is ASCII, which Latin-1 holds one byte each. Anything else: UTF-16 code units.
    const latin1 = event.bytes === message.length;
    const size = latin1 ? message.length : message.length * 2;
    if (size > MAX_IN_SLAB) {
      const own = Buffer.allocUnsafeSlow(size);
      own.write(message, 0, size, latin1 ? 'latin1' : 'utf16le');
      return new PackedEvent(event.timestamp, event.bytes, own, 0, size, latin1);
    }
    const start = this.reserve(size, latin1);
    const slab = this.slab as Buffer;
    slab.write(message, start, size, latin1 ? 'latin1' : 'utf16le');
    return new PackedEvent(event.timestamp, event.bytes, slab, start, start + size, latin1);
  }

  /** Events no longer held (sent): their bytes in the slabs are dead space from now on. */
  release(events: ReadonlyArray<LogEvent | PackedEvent>): void {
    for (const event of events) if (event instanceof PackedEvent && event.end - event.start <= MAX_IN_SLAB) this.held -= event.end - event.start;
  }

  /**
   * Copies the held events' bytes into fresh slabs once more than half of the slabs' bytes
   * (and at least a slab's worth) belong to events already sent; the old slabs go with their
   * last reference. `events` are every event the window still holds.
   */
  compact(events: ReadonlyArray<LogEvent | PackedEvent>): void {
    if (this.written - this.held <= Math.max(this.held, SLAB_BYTES)) return;
    this.reset();
    for (const event of events) {
      if (!(event instanceof PackedEvent)) continue;
      const size = event.end - event.start;
      if (size > MAX_IN_SLAB) continue;
      const start = this.reserve(size, event.latin1);
      const slab = this.slab as Buffer;
      event.slab.copy(slab, start, event.start, event.end);
      event.slab = slab;
      event.start = start;
      event.end = start + size;
    }
  }

  private reset(): void {
    this.slab = undefined;
    this.used = 0;
    this.written = 0;
    this.held = 0;
  }

  /** Where `size` bytes go in `this.slab` (a new slab when they do not fit in the current one). */
  private reserve(size: number, latin1: boolean): number {
    // UTF-16 at an even offset: Node then reads the code units in place rather than through a copy
    let start = latin1 ? this.used : (this.used + 1) & ~1;
    if (this.slab === undefined || start + size > this.slab.length) {
      // not from Node's pool (Buffer.allocUnsafe would take the pool for small sizes); never
      // read beyond what was written, so uninitialised memory is fine
      this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      start = 0;
    }
    this.used = start + size;
    this.written += size;
    this.held += size;
    return start;
  }
}

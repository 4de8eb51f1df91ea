/**
 * Packs log events into PutLogEvents batches that CloudWatch Logs accepts whole
 * (AWS-FACTS.md, "CloudWatch Logs — PutLogEvents"). Pure: no I/O, no clock.
 *
 * Events are held in 24 h windows of event time, so that records in any order cost about
 * the calls they would cost sorted: a file whose records alternate between two days makes
 * one series of full batches per day, not one call per record (a single open batch had to
 * close whenever the next event was more than 24 h away from it).
 *
 * - Windows are a fixed grid of `maxBatchSpanMs + 1` ms, placed so that the first event
 *   sits in the middle of its window: every event of a window fits one call's span, and a
 *   normal five-minute file lives in one window.
 * - A window holds up to `holdBatches` batches' worth; past that it sends its fullest batch
 *   (cut in time order, so the batch is a contiguous stretch of time). Holding more than one
 *   batch leaves every busy window part of a batch's worth, so the leftovers packed at the
 *   end are mostly full batches too, whatever the order records came in. A window alone (a normal
 *   file) holds one batch, as a single open batch did.
 * - `flush()` packs what is left across windows: the windows in time order, each sorted,
 *   greedily cut by count, bytes and span (the fewest calls of time-consecutive events).
 * - Memory is bounded (`BatcherCaps`): at most `maxOpenWindows` windows (over it, the
 *   oldest window is sent whole) and `maxHeldBytes` / `maxHeldEvents` held over all
 *   windows (over it, the window holding the most sends its fullest batch).
 *
 * Events within a call are sorted by timestamp (the order rule applies within one call
 * only; parallel and out-of-order calls to a stream are allowed since 2023); the sort is
 * stable, so equal timestamps keep file order.
 *
 * While more than one window is open, an event is held as a copy of its message outside
 * V8's heap, in its window's slabs (`PackedEvent`, packed-events.ts), turned back into a
 * string when its batch is sent. See there.
 */
import { EventSlabs, PackedEvent, SlabPool } from './packed-events';

export interface PutLogEventsLimits {
  /** Bytes per call, counting each message's UTF-8 bytes plus `eventOverheadBytes`. */
  readonly maxBatchBytes: number;
  /** "26 bytes per event": PutLogEvents batch accounting. */
  readonly eventOverheadBytes: number;
  readonly maxBatchEvents: number;
  /** Newest minus oldest timestamp in one call. */
  readonly maxBatchSpanMs: number;
  /** One event's message bytes. 1 MB since 2025; whether the 26 bytes count is unconfirmed, so assume they do. */
  readonly maxMessageBytes: number;
}

export const PUT_LOG_EVENTS_LIMITS: PutLogEventsLimits = Object.freeze({
  maxBatchBytes: 1_048_576,
  eventOverheadBytes: 26,
  maxBatchEvents: 10_000,
  maxBatchSpanMs: 24 * 60 * 60 * 1000,
  maxMessageBytes: 1_048_576 - 26,
});

/** How much the batcher may hold back to pack out-of-order events well. */
export interface BatcherCaps {
  /**
   * While more than one window is open, a window sends its fullest batch once it holds more
   * than this many batches' worth (bytes or events); a window alone, once it holds more than one.
   */
  readonly holdBatches: number;
  /** Windows open at once (one per 24 h of event time); over it, the oldest is sent whole. */
  readonly maxOpenWindows: number;
  /** Σ(bytes + overhead) held over all windows; over it, the fullest window sends its fullest batch. */
  readonly maxHeldBytes: number;
  /** Events held over all windows; same rule. */
  readonly maxHeldEvents: number;
}

/**
 * - 1.5 batches per window while several are open: a busy window keeps at least half a
 *   batch's worth back for the end. Against 2 batches it costs at most 3 more calls per file
 *   (`npx tsx bench/batcher-calls.probe.ts`, records of 600–1,800 bytes at random times:
 *   30,000 over 13 days 1.083× the calls sorted against 1.000×, 100,000 over 15 days
 *   1.017–1.026× against 1.000–1.009×, 500,000 ≤ 1.009× either way; 1 batch costs up to
 *   1.25× at 15 days), and saves CPU on such files: less is held, sorted and compacted, and
 *   fewer old-generation collections (100 MB file over 13 days, as the Lambda, after a
 *   bare parse of it: 0 mark-compacts per run instead of 2–3).
 * - 32 MB / 320,000 events held: room for 2 MB per window over the 14 days + 2 h of event
 *   time CloudWatch Logs accepts (older events are rejected, so a wider spread only costs
 *   calls for rejected events); with 16 MB held, 15 days cost up to 1.06× (2 batches held).
 * - 1,024 windows (2.8 years of eventTime spread in one file; a window costs little beyond
 *   the events it holds). Past it the oldest window is sent whole, so a file interleaving
 *   more days than that falls back towards a call per few records (measured: 100,000
 *   records at random over 2,000 days, 25× their sorted calls). Records that old are
 *   rejected by CloudWatch Logs anyway.
 */
export const BATCHER_CAPS: BatcherCaps = Object.freeze({
  holdBatches: 1.5,
  maxOpenWindows: 1024,
  maxHeldBytes: 32 * PUT_LOG_EVENTS_LIMITS.maxBatchBytes,
  maxHeldEvents: 32 * PUT_LOG_EVENTS_LIMITS.maxBatchEvents,
});

export interface LogEvent {
  /** Milliseconds since the epoch: a non-negative integer (PutLogEvents refuses a call with a negative one). */
  readonly timestamp: number;
  readonly message: string;
  /** UTF-8 byte length of `message` (callers usually know it already; see TrailRecord.bytes). */
  readonly bytes: number;
}

export interface LogBatch {
  /** Sorted by timestamp, oldest first. */
  readonly events: LogEvent[];
  /** Σ(bytes + overhead): what CloudWatch Logs counts against maxBatchBytes. */
  readonly bytes: number;
}

export class OversizedEventError extends RangeError {}
/** A timestamp PutLogEvents would refuse the whole call for (negative, fractional, not finite). */
export class InvalidTimestampError extends RangeError {}

/** An event as a window holds it: as given, or packed (several windows open). */
type HeldEvent = LogEvent | PackedEvent;

function unpacked(event: HeldEvent): LogEvent {
  return event instanceof PackedEvent ? event.unpack() : event;
}

/**
 * The slabs held events are packed into, shared by every batcher of the process: an
 * out-of-order file reuses the slabs of the one before rather than growing V8's external
 * memory (packed-events.ts). At most 32 MB of free slabs stay after such a file.
 */
const SHARED_SLAB_POOL = new SlabPool();

interface Window {
  readonly index: number;
  events: HeldEvent[];
  /** Σ(bytes + overhead) of `events`. */
  bytes: number;
  maxTs: number;
  sorted: boolean;
  /** Where its events are packed while several windows are open; made on the first one. */
  slabs: EventSlabs | undefined;
}

export class LogBatcher {
  private readonly windows = new Map<number, Window>();
  /** The window the previous event went to: nearly every event goes to the same one. */
  private recent: Window | undefined;
  /** Start of window 0; set by the first event. */
  private origin: number | undefined;
  private heldBytes = 0;
  private heldEvents = 0;
  private readonly windowMs: number;
  private readonly caps: BatcherCaps;

  constructor(
    private readonly limits: PutLogEventsLimits = PUT_LOG_EVENTS_LIMITS,
    caps: Partial<BatcherCaps> = {},
    /** Where windows take slabs from and give them back (tests pass their own). */
    private readonly slabPool: SlabPool = SHARED_SLAB_POOL,
  ) {
    // integer timestamps: a window of span + 1 ms never holds two events more than `span` apart
    this.windowMs = limits.maxBatchSpanMs + 1;
    this.caps = { ...BATCHER_CAPS, ...caps };
  }

  /** Whether an event of this size can ever be sent; callers count the others as rejected. */
  fits(event: Pick<LogEvent, 'bytes'>): boolean {
    return event.bytes > 0 && event.bytes <= this.limits.maxMessageBytes && event.bytes + this.limits.eventOverheadBytes <= this.limits.maxBatchBytes;
  }

  /**
   * Adds an event; returns the batches that are ready to send because of it (usually none,
   * then `undefined`). Throws, holding nothing, for an event that can never be sent.
   */
  add(event: LogEvent): LogBatch[] | undefined {
    if (!this.fits(event)) {
      throw new OversizedEventError(`a log event of ${event.bytes} bytes can never be sent`);
    }
    const timestamp = event.timestamp;
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
      throw new InvalidTimestampError(`a log event timestamp must be a non-negative integer, got ${timestamp}`);
    }
    let ready: LogBatch[] | undefined;
    this.origin ??= timestamp - Math.floor(this.windowMs / 2);
    const index = Math.floor((timestamp - this.origin) / this.windowMs);
    let window = this.recent;
    if (window === undefined || window.index !== index) {
      window = this.windows.get(index);
      if (window === undefined) {
        if (this.windows.size >= this.caps.maxOpenWindows) ready = this.closeOldestWindow();
        window = { index, events: [], bytes: 0, maxTs: -Infinity, sorted: true, slabs: undefined };
        this.windows.set(index, window);
      }
      this.recent = window;
    }

    const size = event.bytes + this.limits.eventOverheadBytes;
    if (timestamp < window.maxTs) window.sorted = false;
    else window.maxTs = timestamp;
    // Several windows open: this event may be held while the rest of the file is read.
    window.events.push(this.windows.size > 1 ? (window.slabs ??= new EventSlabs(this.slabPool)).pack(event) : event);
    window.bytes += size;
    this.heldBytes += size;
    this.heldEvents++;

    // One window alone (every normal file) holds one batch, as a single open batch would:
    // holding more buys nothing there and costs memory (peak RSS +15–25 MB on a 500 MB file).
    const hold = this.windows.size > 1 ? this.caps.holdBatches : 1;
    if (window.bytes > hold * this.limits.maxBatchBytes || window.events.length > hold * this.limits.maxBatchEvents) {
      (ready ??= []).push(this.takeFullest(window));
    }
    while (this.heldBytes > this.caps.maxHeldBytes || this.heldEvents > this.caps.maxHeldEvents) {
      (ready ??= []).push(this.takeFullest(this.fullestWindow()));
    }
    return ready;
  }

  /** Packs and returns everything held, oldest first; the batcher is empty afterwards. */
  flush(): LogBatch[] {
    return [...this.drain()];
  }

  /**
   * As `flush`, one batch at a time: each batch's messages are unpacked only when it is
   * taken, and what it held is let go then, so the end of a file does not hold every event
   * twice (packed and unpacked). The batcher is empty on return.
   */
  drain(): Generator<LogBatch, void, undefined> {
    const indexes = [...this.windows.keys()].sort((a, b) => a - b);
    const events: Array<HeldEvent | undefined> = [];
    for (const index of indexes) {
      const window = this.windows.get(index) as Window;
      sortWindow(window);
      for (const event of window.events) events.push(event);
    }
    this.windows.clear();
    this.recent = undefined;
    this.origin = undefined;
    this.heldBytes = 0;
    this.heldEvents = 0;
    return unpackCuts(events, sortedCuts(events as HeldEvent[], this.limits), this.slabPool);
  }

  get pendingEvents(): number {
    return this.heldEvents;
  }

  get openWindows(): number {
    return this.windows.size;
  }

  /**
   * The fullest call (most bytes; the oldest of equals) the window's events make when cut
   * greedily in time order. Not simply the oldest: with events of mixed sizes the oldest
   * call can be nearly empty (a small event followed by a 1 MB one), and sending it would
   * free almost nothing. Every event of a window fits one call's span, so what is left
   * stays a valid window.
   */
  private takeFullest(window: Window): LogBatch {
    sortWindow(window);
    const { maxBatchEvents, maxBatchBytes, eventOverheadBytes } = this.limits;
    const events = window.events;
    let bestStart = 0;
    let bestEnd = 0;
    let bestBytes = -1;
    let start = 0;
    let bytes = 0;
    for (let i = 0; i <= events.length; i++) {
      const size = i < events.length ? (events[i] as HeldEvent).bytes + eventOverheadBytes : 0;
      if (i === events.length || i - start >= maxBatchEvents || bytes + size > maxBatchBytes) {
        if (bytes > bestBytes) {
          bestStart = start;
          bestEnd = i;
          bestBytes = bytes;
        }
        start = i;
        bytes = 0;
      }
      bytes += size;
    }
    const taken = events.splice(bestStart, bestEnd - bestStart);
    const batch = { events: taken.map(unpacked), bytes: bestBytes };
    if (window.slabs !== undefined) {
      window.slabs.release(taken);
      window.slabs.compact(events);
    }
    this.release(window, taken.length, bestBytes);
    return batch;
  }

  /** The window with the lowest index, sent whole: it is packed like the end of the file. */
  private closeOldestWindow(): LogBatch[] {
    let oldest: Window | undefined;
    for (const window of this.windows.values()) if (oldest === undefined || window.index < oldest.index) oldest = window;
    const window = oldest as Window;
    sortWindow(window);
    const events: Array<HeldEvent | undefined> = window.events;
    window.events = [];
    this.release(window, events.length, window.bytes);
    return [...unpackCuts(events, sortedCuts(events as HeldEvent[], this.limits), this.slabPool)];
  }

  private fullestWindow(): Window {
    let fullest: Window | undefined;
    for (const window of this.windows.values()) if (fullest === undefined || window.bytes > fullest.bytes) fullest = window;
    return fullest as Window;
  }

  private release(window: Window, events: number, bytes: number): void {
    window.bytes -= bytes;
    this.heldBytes -= bytes;
    this.heldEvents -= events;
    if (window.events.length === 0) {
      window.slabs?.close();
      this.windows.delete(window.index);
      if (this.recent === window) this.recent = undefined;
    }
  }
}

/**
 * The batches `cuts` make of the events of windows that are gone, unpacked one at a time;
 * each batch's events are let go of as it is taken (in `events`, and their slabs back to
 * `pool` once empty).
 */
function* unpackCuts(events: Array<HeldEvent | undefined>, cuts: ReadonlyArray<{ start: number; end: number; bytes: number }>, pool: SlabPool): Generator<LogBatch, void, undefined> {
  for (const cut of cuts) {
    const batch = new Array<LogEvent>(cut.end - cut.start);
    for (let i = cut.start; i < cut.end; i++) {
      const event = events[i] as HeldEvent;
      batch[i - cut.start] = event instanceof PackedEvent ? event.unpackLast(pool) : event;
      events[i] = undefined;
    }
    yield { events: batch, bytes: cut.bytes };
  }
}

function sortWindow(window: Window): void {
  // Array.prototype.sort is stable (equal timestamps keep file order) and fast on the
  // nearly sorted runs a CloudTrail file has.
  if (!window.sorted) {
    window.events.sort((a, b) => a.timestamp - b.timestamp);
    window.sorted = true;
  }
}

/**
 * Cuts a time-sorted run into calls greedily: each call takes as many events as count,
 * bytes and span allow. For a sorted run that is the fewest calls (each limit holds for any
 * part of an acceptable call, so extending a call never costs a later one).
 */
export function packSorted(events: readonly LogEvent[], limits: PutLogEventsLimits = PUT_LOG_EVENTS_LIMITS): LogBatch[] {
  return sortedCuts(events, limits).map((cut) => ({ events: events.slice(cut.start, cut.end), bytes: cut.bytes }));
}

/** packSorted's cuts: each call as `events[start, end)` and its Σ(bytes + overhead). */
function sortedCuts(events: ReadonlyArray<Pick<LogEvent, 'timestamp' | 'bytes'>>, limits: PutLogEventsLimits): Array<{ start: number; end: number; bytes: number }> {
  const cuts: Array<{ start: number; end: number; bytes: number }> = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as LogEvent;
    const size = event.bytes + limits.eventOverheadBytes;
    if (
      i > start &&
      (i - start >= limits.maxBatchEvents ||
        bytes + size > limits.maxBatchBytes ||
        event.timestamp - (events[start] as LogEvent).timestamp > limits.maxBatchSpanMs)
    ) {
      cuts.push({ start, end: i, bytes });
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (events.length > start) cuts.push({ start, end: events.length, bytes });
  return cuts;
}

/**
 * The calls these events cost sorted by time and cut greedily (count, bytes, 24 h span):
 * what a batcher with the whole file in hand would make, and the fewest for calls of
 * time-consecutive events. Mixing non-consecutive events can now and then save a call (a
 * bin-packing effect), so it is a reference, not a strict lower bound. The benchmark and the
 * tests compare the calls the batcher makes against it.
 */
export function sortedCalls(events: readonly Pick<LogEvent, 'timestamp' | 'bytes'>[], limits = PUT_LOG_EVENTS_LIMITS): number {
  const sorted = events.map((e) => ({ timestamp: e.timestamp, bytes: e.bytes, message: '' })).sort((a, b) => a.timestamp - b.timestamp);
  return packSorted(sorted, limits).length;
}

/** A lower bound on calls from count and bytes alone (ignores the span rule). */
export function minimumCalls(totalEvents: number, totalBatchBytes: number, limits = PUT_LOG_EVENTS_LIMITS): number {
  return Math.max(Math.ceil(totalEvents / limits.maxBatchEvents), Math.ceil(totalBatchBytes / limits.maxBatchBytes));
}

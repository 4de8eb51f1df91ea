/**
 * Packs log events into PutLogEvents batches that CloudWatch Logs accepts whole
 * (AWS-FACTS.md, "CloudWatch Logs — PutLogEvents"). Pure: no I/O, no clock.
 *
 * Greedy packing: a batch closes only when the next event would break a limit, so every
 * batch but the last is full to within one event of the byte or count limit. Events are
 * sorted by timestamp when a batch closes (the order rule applies within one call only;
 * parallel and out-of-order calls to a stream are allowed since 2023).
 */
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

export interface LogEvent {
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

export class LogBatcher {
  private events: LogEvent[] = [];
  private bytes = 0;
  private minTs = Infinity;
  private maxTs = -Infinity;
  private sorted = true;

  constructor(private readonly limits: PutLogEventsLimits = PUT_LOG_EVENTS_LIMITS) {}

  /** Whether an event of this size can ever be sent; callers count the others as rejected. */
  fits(event: Pick<LogEvent, 'bytes'>): boolean {
    return event.bytes > 0 && event.bytes <= this.limits.maxMessageBytes && event.bytes + this.limits.eventOverheadBytes <= this.limits.maxBatchBytes;
  }

  /**
   * Adds an event; returns the batch this event closed, if it did not fit into the open one.
   * The event itself then starts the next batch.
   */
  add(event: LogEvent): LogBatch | undefined {
    if (!this.fits(event)) {
      throw new OversizedEventError(`a log event of ${event.bytes} bytes can never be sent`);
    }
    const size = event.bytes + this.limits.eventOverheadBytes;
    let closed: LogBatch | undefined;
    if (
      this.events.length > 0 &&
      (this.events.length >= this.limits.maxBatchEvents ||
        this.bytes + size > this.limits.maxBatchBytes ||
        Math.max(this.maxTs, event.timestamp) - Math.min(this.minTs, event.timestamp) > this.limits.maxBatchSpanMs)
    ) {
      closed = this.take();
    }
    if (this.events.length > 0 && event.timestamp < this.maxTs) this.sorted = false;
    this.events.push(event);
    this.bytes += size;
    if (event.timestamp < this.minTs) this.minTs = event.timestamp;
    if (event.timestamp > this.maxTs) this.maxTs = event.timestamp;
    return closed;
  }

  /** Closes and returns the open batch, if it has events. */
  flush(): LogBatch | undefined {
    return this.events.length > 0 ? this.take() : undefined;
  }

  get pendingEvents(): number {
    return this.events.length;
  }

  private take(): LogBatch {
    const events = this.events;
    // Array.prototype.sort is stable, so equal timestamps keep file order.
    if (!this.sorted) events.sort((a, b) => a.timestamp - b.timestamp);
    const batch = { events, bytes: this.bytes };
    this.events = [];
    this.bytes = 0;
    this.minTs = Infinity;
    this.maxTs = -Infinity;
    this.sorted = true;
    return batch;
  }
}

/** The fewest calls that could carry these events: the figure the benchmark compares against. */
export function minimumCalls(totalEvents: number, totalBatchBytes: number, limits = PUT_LOG_EVENTS_LIMITS): number {
  return Math.max(Math.ceil(totalEvents / limits.maxBatchEvents), Math.ceil(totalBatchBytes / limits.maxBatchBytes));
}

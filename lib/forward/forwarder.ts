import type { TrailRecord } from '../cloudtrail/types';
import { LogBatcher, type BatcherCaps, type LogBatch, type PutLogEventsLimits } from './batcher';
import { parseEventTime } from './event-time';
import type { LogSink, LogTarget, PutOutcome } from './sink';

export interface ForwardCounts {
  forwarded: number;
  forwardedBytes: number;
  tooOld: number;
  tooNew: number;
  expired: number;
  tooLarge: number;
  timestampFallback: number;
  calls: number;
}

export interface ForwarderOptions {
  /** Calls to PutLogEvents in flight at once; parallel calls to one stream are allowed since 2023. */
  readonly maxInFlight?: number;
  readonly limits?: PutLogEventsLimits;
  readonly caps?: Partial<BatcherCaps>;
  /**
   * Timestamp for records whose eventTime is missing, not a time CloudTrail writes, or
   * before 1970 (see parseEventTime): the delivery time. A non-negative integer.
   */
  readonly fallbackTimestamp: number;
}

/**
 * Forwards one log file's records to one stream: each record's original JSON text as the
 * message, its eventTime as the timestamp. Keeps a few calls in flight so parsing and
 * sending overlap, and waits for them before reading on (backpressure: memory stays bounded).
 */
export class Forwarder {
  readonly counts: ForwardCounts = {
    forwarded: 0,
    forwardedBytes: 0,
    tooOld: 0,
    tooNew: 0,
    expired: 0,
    tooLarge: 0,
    timestampFallback: 0,
    calls: 0,
  };
  private readonly batcher: LogBatcher;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  private readonly maxInFlight: number;

  constructor(
    private readonly sink: LogSink,
    private readonly target: LogTarget,
    private readonly options: ForwarderOptions,
  ) {
    if (!Number.isSafeInteger(options.fallbackTimestamp) || options.fallbackTimestamp < 0) {
      // PutLogEvents refuses a whole call with a negative timestamp: never build one
      throw new RangeError(`fallbackTimestamp must be a non-negative integer, got ${options.fallbackTimestamp}`);
    }
    this.batcher = new LogBatcher(options.limits, options.caps);
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 4);
  }

  /** Adds records; resolves once there is room for more (at most maxInFlight calls pending). */
  async add(records: readonly TrailRecord[]): Promise<void> {
    for (const r of records) {
      if (!this.batcher.fits(r)) {
        this.counts.tooLarge++;
        continue;
      }
      let timestamp = parseEventTime(r.record.eventTime);
      if (timestamp === undefined) {
        timestamp = this.options.fallbackTimestamp;
        this.counts.timestampFallback++;
      }
      // held as given while one window is open, else copied out of the file's chunk (PackedEvent)
      const ready = this.batcher.add({ timestamp, message: r.text, bytes: r.bytes });
      if (ready) for (const batch of ready) await this.send(batch);
    }
  }

  /** Sends what is left and waits for every call; throws the first delivery failure. */
  async finish(): Promise<ForwardCounts> {
    for (const batch of this.batcher.drain()) await this.send(batch);
    await Promise.allSettled([...this.inFlight]);
    if (this.failure !== undefined) throw this.failure;
    return this.counts;
  }

  /** Waits for calls already made (used when the file fails, so counts are final). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async send(batch: LogBatch): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    this.counts.calls++;
    const call = this.sink.put(this.target, batch).then(
      (outcome) => this.record(batch, outcome),
      (err: unknown) => {
        this.failure ??= err;
      },
    );
    const tracked = call.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    while (this.inFlight.size >= this.maxInFlight) await Promise.race(this.inFlight);
    if (this.failure !== undefined) throw this.failure;
  }

  private record(batch: LogBatch, outcome: PutOutcome): void {
    const { tooOld, tooNew, expired } = outcome.rejected;
    this.counts.tooOld += tooOld;
    this.counts.tooNew += tooNew;
    this.counts.expired += expired;
    this.counts.forwarded += outcome.accepted;
    // bytes of the accepted events only: rejected ones are a prefix (old) and a suffix (new)
    const events = batch.events;
    for (let i = tooOld + expired; i < events.length - tooNew; i++) this.counts.forwardedBytes += events[i]!.bytes;
  }
}

import type { LogBatch } from './batcher';

export interface LogTarget {
  readonly group: string;
  readonly stream: string;
}

/** Events CloudWatch Logs accepted the call for but refused one by one (rejectedLogEventsInfo). */
export interface RejectedCounts {
  tooOld: number;
  tooNew: number;
  expired: number;
}

export interface PutOutcome {
  readonly accepted: number;
  readonly rejected: RejectedCounts;
}

/**
 * Port: where records are forwarded. An implementation retries what is worth retrying
 * (throttling, 5xx), creates a missing stream but never a missing group (LogGroupMissingError),
 * and throws ForwardError when a batch cannot be delivered; it never resends events that
 * CloudWatch Logs rejected one by one.
 */
export interface LogSink {
  put(target: LogTarget, batch: LogBatch): Promise<PutOutcome>;
}

/**
 * Accepts every batch and sends nothing, counting what it was given: for runs that read
 * files without forwarding them (the scan CLI, benchmarks, a retry that only re-alerts).
 */
export class DiscardingSink implements LogSink {
  calls = 0;
  events = 0;
  /** Σ(bytes + overhead) of the batches, as PutLogEvents counts them. */
  batchBytes = 0;
  async put(_target: LogTarget, batch: LogBatch): Promise<PutOutcome> {
    this.calls++;
    this.events += batch.events.length;
    this.batchBytes += batch.bytes;
    return { accepted: batch.events.length, rejected: { tooOld: 0, tooNew: 0, expired: 0 } };
  }
}

/**
 * The stream name CloudTrail's own CloudWatch Logs integration uses, so that existing
 * metric filters and Logs Insights queries keep working: `<accountId>_CloudTrail_<region>`.
 * Stream names may not contain ':' or '*' and are at most 512 characters.
 */
export function cloudTrailStreamName(accountId: string, region: string): string {
  return `${accountId}_CloudTrail_${region}`.replace(/[:*]/g, '_').slice(0, 512);
}

/** Turns PutLogEvents' rejectedLogEventsInfo indexes into counts for a batch of `n` events. */
export function countRejected(
  n: number,
  info: { tooNewLogEventStartIndex?: number; tooOldLogEventEndIndex?: number; expiredLogEventEndIndex?: number } | undefined,
): RejectedCounts {
  if (!info) return { tooOld: 0, tooNew: 0, expired: 0 };
  // The SDK documents tooOldLogEventEndIndex as exclusive (AWS returns 1 for one too-old
  // event); expiredLogEventEndIndex is undocumented and read the same way. tooNew's start is
  // inclusive. Events are sorted, so old ones are a prefix and new ones a suffix.
  const oldEnd = clamp(info.tooOldLogEventEndIndex ?? 0, n);
  const expiredEnd = clamp(info.expiredLogEventEndIndex ?? 0, n);
  const newStart = clamp(info.tooNewLogEventStartIndex ?? n, n);
  const tooOld = oldEnd;
  const expired = Math.max(0, expiredEnd - tooOld);
  const tooNew = Math.max(0, n - Math.max(newStart, tooOld + expired));
  return { tooOld, tooNew, expired };
}

function clamp(index: number, n: number): number {
  return Math.min(n, Math.max(0, index));
}

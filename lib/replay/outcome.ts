import { TrailwatchError } from '../errors';
import type { ObjectSummary } from '../ingest';

/** Counts over the objects a replay ran through the pipeline. */
export interface ObjectCounts {
  processed: number;
  /** Already processed before (object-level idempotency): nothing forwarded or alerted again. */
  duplicate: number;
  /** Not a log file (digest, Config probe, …): skipped with a reason, as the Lambda does. */
  skipped: number;
  recordsForwarded: number;
  alerted: number;
}

export function emptyCounts(): ObjectCounts {
  return { processed: 0, duplicate: 0, skipped: 0, recordsForwarded: 0, alerted: 0 };
}

export function addSummaries(counts: ObjectCounts, summaries: readonly ObjectSummary[]): void {
  for (const s of summaries) {
    if (s.duplicate) counts.duplicate++;
    else if (s.status === 'skipped') counts.skipped++;
    else counts.processed++;
    if (!s.duplicate) {
      counts.recordsForwarded += s.recordsForwarded;
      counts.alerted += s.alerted;
    }
  }
}

/** `Reason: message` of a failed replay, for the printed line (typed errors name their reason). */
export function failureReason(err: unknown): string {
  if (err instanceof TrailwatchError) return `${err.reason}: ${err.message}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

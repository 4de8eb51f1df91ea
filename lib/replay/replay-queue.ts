import { describeFailure, parseFailureMessage, type FailedDelivery } from './failure-message';
import { mapBounded } from '../scan/bounded';
import type { Ingest } from './ingest';
import { addSummaries, emptyCounts, failureReason, type ObjectCounts } from './outcome';
import type { FailureQueue, QueueMessage } from './queue';

export interface ReplayQueueOptions {
  /** Stop after this many messages (default: everything on the queue). */
  readonly max?: number;
  /** One line per message. */
  readonly log?: (line: string) => void;
  /** Messages of one receive replayed at once (default 1; SQS hands out at most 10 per receive). */
  readonly concurrency?: number;
  /** Read and parse the messages, replay and delete none (each is handed back at the end). */
  readonly dryRun?: boolean;
}

export interface MessageOutcome {
  readonly messageId: string;
  readonly outcome: 'replayed' | 'kept' | 'would-replay';
  /** Where the failure came from and, when kept, why the replay failed. */
  readonly reason: string;
}

export interface ReplayQueueSummary {
  received: number;
  replayed: number;
  /** Left on the queue (made visible again), each with a printed reason. */
  kept: number;
  /** Dry run: messages that would be replayed (all of them are handed back). */
  wouldReplay?: number;
  objects: ObjectCounts;
  readonly messages: MessageOutcome[];
}

/** SQS hands out at most 10 messages per receive. */
const RECEIVE_MAX = 10;

/**
 * Re-drives the failure queue: every message is turned back into the Lambda's payload and
 * run through the pipeline once; it is deleted only after that succeeded. A message whose
 * replay fails stays on the queue (released at the end of the run, so it is visible to the
 * next run) with its reason printed. Each message is tried at most once per run: a message
 * that comes round again (its visibility ran out) ends the run instead of looping on it.
 */
export async function replayQueue(queue: FailureQueue, ingest: Ingest, options: ReplayQueueOptions = {}): Promise<ReplayQueueSummary> {
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const log = options.log ?? (() => undefined);
  const summary: ReplayQueueSummary = { received: 0, replayed: 0, kept: 0, objects: emptyCounts(), messages: [] };
  const seen = new Set<string>();
  // by message id, with the receipt handle of its latest receive (older handles no longer work)
  const kept = new Map<string, QueueMessage>();
  try {
    while (summary.received < max) {
      const batch = await queue.receive(Math.min(RECEIVE_MAX, max - summary.received));
      const fresh = batch.filter((m) => !seen.has(m.id));
      // a message seen before in this run came round again: never tried twice, handed back
      for (const again of batch.filter((m) => seen.has(m.id))) kept.set(again.id, again);
      if (fresh.length === 0) break;
      for (const message of fresh) seen.add(message.id);
      summary.received += fresh.length;
      // each message names its own objects, each idempotent: they may be replayed side by side
      for await (const { message, outcome } of mapBounded(fresh, options.concurrency ?? 1, async (m) => ({ message: m, outcome: await replayOne(m, queue, ingest, summary, options.dryRun === true) }))) {
        summary.messages.push(outcome);
        if (outcome.outcome !== 'replayed') kept.set(message.id, message);
        log(`${LABEL[outcome.outcome]} ${message.id}  ${outcome.reason}`);
      }
    }
  } finally {
    for (const message of kept.values()) {
      try {
        await queue.release(message);
      } catch (err) {
        // still on the queue either way: it becomes visible when its visibility timeout ends
        log(`could not release ${message.id} (${failureReason(err)}): visible again after its visibility timeout`);
      }
    }
  }
  return summary;
}

const LABEL: Record<MessageOutcome['outcome'], string> = { replayed: 'replayed', kept: 'KEPT    ', 'would-replay': 'would replay' };

async function replayOne(message: QueueMessage, queue: FailureQueue, ingest: Ingest, summary: ReplayQueueSummary, dryRun: boolean): Promise<MessageOutcome> {
  let failure: FailedDelivery;
  try {
    failure = parseFailureMessage(message.body);
  } catch (err) {
    summary.kept++;
    return { messageId: message.id, outcome: 'kept', reason: failureReason(err) };
  }
  const origin = describeFailure(failure);
  if (dryRun) {
    summary.wouldReplay = (summary.wouldReplay ?? 0) + 1;
    return { messageId: message.id, outcome: 'would-replay', reason: origin };
  }
  try {
    const objects = await ingest(failure.payload);
    addSummaries(summary.objects, objects);
  } catch (err) {
    summary.kept++;
    return { messageId: message.id, outcome: 'kept', reason: `${failureReason(err)} (was: ${origin})` };
  }
  // deleted only once the pipeline succeeded: a crash before this line replays it again, idempotently
  await queue.delete(message);
  summary.replayed++;
  return { messageId: message.id, outcome: 'replayed', reason: origin };
}

export function formatReplayQueueSummary(s: ReplayQueueSummary): string {
  const o = s.objects;
  return (
    `replay-queue: ${s.received} message(s) received, ${s.replayed} replayed and deleted, ${s.kept} kept on the queue; ` +
    `objects: ${o.processed} processed, ${o.duplicate} already processed, ${o.skipped} skipped; ` +
    `${o.recordsForwarded} record(s) forwarded, ${o.alerted} finding(s) alerted`
  );
}

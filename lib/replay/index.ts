/**
 * Replays: the failure queue re-driven through the Lambda's pipeline, and an S3 prefix /
 * time range reprocessed, both idempotent (object-level idempotency + the alert ledger).
 */
export { UnreplayableMessageError } from './errors';
export { describeFailure, parseFailureMessage, type FailedDelivery } from './failure-message';
export { DEFAULT_REPLAY_LOCK_MS, ingestWith, type Ingest, type ReplayIngestOptions } from './ingest';
export type { ObjectCounts } from './outcome';
export type { FailureQueue, QueueMessage } from './queue';
export { formatReplayQueueSummary, replayQueue, type MessageOutcome, type ReplayQueueOptions, type ReplayQueueSummary } from './replay-queue';
export {
  formatReprocessSummary,
  reprocessPrefix,
  s3NotificationFor,
  selectForReprocess,
  type ListedObject,
  type ObjectLister,
  type ReprocessOptions,
  type ReprocessSummary,
  type Selection,
} from './reprocess';

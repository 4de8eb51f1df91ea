import type { SQSEvent } from 'aws-lambda';
import { SqsBatchSchema } from './shapes';

/**
 * An SQS batch (S3 → SQS, S3 → SNS → SQS, EventBridge → SQS, CloudTrail → SNS → SQS).
 * The handler then reads each record's body on its own, so one bad message fails only
 * itself (`ReportBatchItemFailures`). Every record must come from SQS and carry a string
 * `body` and `messageId`: the two fields partial-failure reporting needs.
 */
export function isSqsEvent(event: unknown): event is SQSEvent {
  return SqsBatchSchema.safeParse(event).success;
}

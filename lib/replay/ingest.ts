import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { ingestEvent, type IngestDeps, type ObjectSummary } from '../ingest';
import { isSqsEvent } from '../trigger';
import { UnreplayableMessageError } from './errors';

/** Runs one trigger payload through the Lambda's pipeline; throws when an object failed. */
export type Ingest = (payload: unknown) => Promise<readonly ObjectSummary[]>;

export interface ReplayIngestOptions {
  /**
   * How long an object stays locked (Powertools idempotency "in progress") if this process
   * dies while replaying it. The Lambda's lock ends with its timeout; without a context the
   * lock would last until the idempotency record expires (days). Default: 15 minutes, the
   * longest Lambda timeout.
   */
  readonly lockMs?: number;
  readonly now?: () => number;
}

export const DEFAULT_REPLAY_LOCK_MS = 15 * 60 * 1000;

/**
 * The replay tools' way into the pipeline: the same `ingestEvent` and the same deps as the
 * Lambda (source, sink, analysers, alert ledger, channels, idempotency), so a replay of an
 * object the Lambda already processed is a no-op and an alert already sent is not sent again.
 */
export function ingestWith(deps: IngestDeps, options: ReplayIngestOptions = {}): Ingest {
  const lockMs = options.lockMs ?? DEFAULT_REPLAY_LOCK_MS;
  const now = options.now ?? Date.now;
  return async (payload) => {
    if (isSqsEvent(payload)) {
      // S3 → SQS → Lambda reports failed messages to SQS, never to the async failure destination
      throw new UnreplayableMessageError("an SQS batch event: replay its messages' bodies instead");
    }
    const result = await ingestEvent(payload, deps, replayContext(lockMs, now));
    return 'objects' in result ? result.objects : [];
  };
}

/** A Lambda context for one replayed payload: only the remaining time matters (the idempotency lock). */
function replayContext(lockMs: number, now: () => number): Context {
  const deadline = now() + lockMs;
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'trailwatch-replay',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:trailwatch-replay',
    memoryLimitInMB: '0',
    awsRequestId: requestId,
    logGroupName: '',
    logStreamName: '',
    getRemainingTimeInMillis: () => Math.max(1, deadline - now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

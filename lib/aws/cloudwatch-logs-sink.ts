import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { ForwardError, LogGroupMissingError } from '../errors';
import type { LogBatch } from '../forward/batcher';
import { countRejected, type LogSink, type LogTarget, type PutOutcome } from '../forward/sink';

/**
 * Forwards batches with PutLogEvents. Throttling and 5xx are retried by the SDK's own
 * retry strategy (configure the client with `maxAttempts`/`retryMode`); a missing stream
 * is created once and the call repeated; events rejected one by one are counted and never
 * resent.
 *
 * A missing log group is never created here (`LogGroupMissingError`): the stack creates it
 * with its retention and the function's role has no `logs:CreateLogGroup`; a group created
 * on the fly would keep records forever.
 */
export class CloudWatchLogsSink implements LogSink {
  constructor(private readonly client: CloudWatchLogsClient) {}

  async put(target: LogTarget, batch: LogBatch): Promise<PutOutcome> {
    try {
      return await this.send(target, batch);
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw wrap(err, target, batch);
      // AWS says "The specified log group does not exist." or "… log stream does not exist."
      if (/group/i.test(err.message) && !/stream/i.test(err.message)) throw new LogGroupMissingError(target.group, { cause: err });
      await this.createStream(target);
      try {
        return await this.send(target, batch);
      } catch (again) {
        // deleted between CreateLogStream and this call
        if (again instanceof ResourceNotFoundException && /group/i.test(again.message)) {
          throw new LogGroupMissingError(target.group, { cause: again });
        }
        throw wrap(again, target, batch);
      }
    }
  }

  private async send(target: LogTarget, batch: LogBatch): Promise<PutOutcome> {
    const out = await this.client.send(
      new PutLogEventsCommand({
        logGroupName: target.group,
        logStreamName: target.stream,
        logEvents: batch.events.map((e) => ({ timestamp: e.timestamp, message: e.message })),
      }),
    );
    const rejected = countRejected(batch.events.length, out.rejectedLogEventsInfo);
    return { accepted: batch.events.length - rejected.tooOld - rejected.tooNew - rejected.expired, rejected };
  }

  private async createStream(target: LogTarget): Promise<void> {
    try {
      await this.client.send(new CreateLogStreamCommand({ logGroupName: target.group, logStreamName: target.stream }));
    } catch (err) {
      // another invocation (or a parallel call of this one) created it first
      if (err instanceof ResourceAlreadyExistsException) return;
      // CreateLogStream's only ResourceNotFoundException is the group's
      if (err instanceof ResourceNotFoundException) throw new LogGroupMissingError(target.group, { cause: err });
      throw new ForwardError(`CreateLogStream ${target.group}/${target.stream} failed: ${describe(err)}`, { cause: err });
    }
  }
}

function describe(err: unknown): string {
  const name = err instanceof Error ? err.name : 'Error';
  const message = err instanceof Error ? err.message : String(err);
  return `${name}: ${message}`;
}

function wrap(err: unknown, target: LogTarget, batch: LogBatch): ForwardError {
  return new ForwardError(
    `PutLogEvents to ${target.group}/${target.stream} failed for a batch of ${batch.events.length} events (${batch.bytes} bytes): ${describe(err)}`,
    { cause: err },
  );
}

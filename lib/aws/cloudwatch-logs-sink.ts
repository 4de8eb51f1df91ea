import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { ForwardError } from '../errors';
import type { LogBatch } from '../forward/batcher';
import { countRejected, type LogSink, type LogTarget, type PutOutcome } from '../forward/sink';

/**
 * Forwards batches with PutLogEvents. Throttling and 5xx are retried by the SDK's own
 * retry strategy (configure the client with `maxAttempts`/`retryMode`); a missing stream
 * (or group) is created once and the call repeated; events rejected one by one are
 * counted and never resent.
 */
export class CloudWatchLogsSink implements LogSink {
  constructor(private readonly client: CloudWatchLogsClient) {}

  async put(target: LogTarget, batch: LogBatch): Promise<PutOutcome> {
    try {
      return await this.send(target, batch);
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw wrap(err, target, batch);
      await this.create(target, /group/i.test(err.message) && !/stream/i.test(err.message));
      try {
        return await this.send(target, batch);
      } catch (again) {
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

  private async create(target: LogTarget, groupMissing: boolean): Promise<void> {
    if (groupMissing) await ignoreExists(this.client.send(new CreateLogGroupCommand({ logGroupName: target.group })));
    try {
      await ignoreExists(
        this.client.send(new CreateLogStreamCommand({ logGroupName: target.group, logStreamName: target.stream })),
      );
    } catch (err) {
      // the message did not say which was missing: it was the group
      if (!(err instanceof ResourceNotFoundException) || groupMissing) throw err;
      await ignoreExists(this.client.send(new CreateLogGroupCommand({ logGroupName: target.group })));
      await ignoreExists(
        this.client.send(new CreateLogStreamCommand({ logGroupName: target.group, logStreamName: target.stream })),
      );
    }
  }
}

async function ignoreExists(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (err) {
    // another invocation created it first
    if (!(err instanceof ResourceAlreadyExistsException)) throw err;
  }
}

function wrap(err: unknown, target: LogTarget, batch: LogBatch): ForwardError {
  const name = err instanceof Error ? err.name : 'Error';
  const message = err instanceof Error ? err.message : String(err);
  return new ForwardError(
    `PutLogEvents to ${target.group}/${target.stream} failed for a batch of ${batch.events.length} events (${batch.bytes} bytes): ${name}: ${message}`,
    { cause: err },
  );
}

import { EventBridgeServiceException, PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { NotifyRejectedError, NotifyUnavailableError, type NotifyError } from '../notify/errors';
import type { BatchSink } from '../outputs/batch-channel';
import type { EventEntry } from '../outputs/event-detail';

/**
 * Puts events on an EventBridge bus (PutEvents: the channel keeps to 10 entries and 256 KB
 * per call). The call succeeds even when entries fail: `FailedEntryCount` and the entries'
 * `ErrorCode`s, in request order, are returned so the channel retries exactly those.
 */
export class EventBridgePublisher implements BatchSink<EventEntry> {
  constructor(private readonly client: EventBridgeClient) {}

  async put(entries: readonly EventEntry[]): Promise<{ failed: Array<{ index: number; code: string; message: string }> }> {
    let out;
    try {
      out = await this.client.send(new PutEventsCommand({ Entries: entries.map((e) => ({ ...e })) }));
    } catch (err) {
      throw wrap(err);
    }
    const results = out.Entries ?? [];
    if (results.length !== entries.length) {
      throw new NotifyUnavailableError(`PutEvents answered ${results.length} entries for ${entries.length}`, 'EntryCountMismatch');
    }
    const failed = results.flatMap((r, index) => (r.ErrorCode ? [{ index, code: r.ErrorCode, message: r.ErrorMessage ?? '' }] : []));
    if (failed.length !== (out.FailedEntryCount ?? failed.length)) {
      throw new NotifyUnavailableError(`PutEvents FailedEntryCount ${out.FailedEntryCount} but ${failed.length} entries carry an ErrorCode`, 'FailedCountMismatch');
    }
    return { failed };
  }
}

function wrap(err: unknown): NotifyError {
  const code = err instanceof Error ? err.name : 'Error';
  const text = `PutEvents failed: ${code}: ${err instanceof Error ? err.message : String(err)}`;
  const status = err instanceof EventBridgeServiceException ? err.$metadata.httpStatusCode : undefined;
  const rejected = err instanceof EventBridgeServiceException && err.$fault === 'client' && status !== 429 && !/Throttl/i.test(code);
  return rejected ? new NotifyRejectedError(text, code, { cause: err }) : new NotifyUnavailableError(text, code, { cause: err });
}

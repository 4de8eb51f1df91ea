import type { Finding } from '../findings';
import type { AlertChannel } from '../ingest';
import type { MetricsLike } from '../telemetry';
import { ASFF_MAX_PER_CALL, toAsff, type AsffContext, type AsffFinding } from './asff';
import { batchChannel, type BatchSink } from './batch-channel';
import { entryBytes, eventEntry, PUT_EVENTS_LIMITS, type EventEntry } from './event-detail';

export { asffId, defaultProductArn, toAsff, ASFF_LIMITS, ASFF_MAX_PER_CALL, type AsffFinding } from './asff';
export { batchChannel, type BatchSink } from './batch-channel';
export { EVENT_DETAIL_TYPE, EVENT_SOURCE, EventDetailSchema, eventDetail, eventEntry, PUT_EVENTS_LIMITS, type EventDetail, type EventEntry } from './event-detail';
export { techniques, ttpTypes } from './mitre';

/** BatchImportFindings: 100 findings per call; a finding at most 240 KB, and the request body well within 6 MB at that. */
const ASFF_BATCH_BYTES = 100 * 240 * 1024;

/** Security Hub output: one ASFF finding per trailwatch finding, in the account's default product. */
export function securityHubChannel(sink: BatchSink<AsffFinding>, context: Omit<AsffContext, 'now'> & { now?: () => Date }, metrics: MetricsLike): AlertChannel {
  return batchChannel<AsffFinding>({
    name: 'securityhub',
    sink,
    entryOf: (finding: Finding) => toAsff(finding, { ...context, now: (context.now ?? (() => new Date()))() }),
    sizeOf: (entry) => Buffer.byteLength(JSON.stringify(entry)),
    maxEntries: ASFF_MAX_PER_CALL,
    maxBatchBytes: ASFF_BATCH_BYTES,
    count: {
      sent: (n) => metrics.addMetric('SecurityHubFindingsImported', 'Count', n),
      failed: (n) => metrics.addMetric('SecurityHubFindingsFailed', 'Count', n),
      undelivered: (n) => metrics.addMetric('SecurityHubFindingsUndelivered', 'Count', n),
    },
  });
}

/** EventBridge output: one event per finding on `bus` (a name or an ARN). */
export function eventBridgeChannel(sink: BatchSink<EventEntry>, bus: string, metrics: MetricsLike): AlertChannel {
  return batchChannel<EventEntry>({
    name: 'eventbridge',
    sink,
    entryOf: (finding) => eventEntry(finding, bus),
    sizeOf: entryBytes,
    maxEntries: PUT_EVENTS_LIMITS.maxEntries,
    maxBatchBytes: PUT_EVENTS_LIMITS.maxBytes,
    count: {
      sent: (n) => metrics.addMetric('EventBridgeEventsPut', 'Count', n),
      failed: (n) => metrics.addMetric('EventBridgeEntriesFailed', 'Count', n),
      undelivered: (n) => metrics.addMetric('EventBridgeEventsUndelivered', 'Count', n),
    },
  });
}

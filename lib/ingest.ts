import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DeliveryFailedError, UnrecognisedTriggerError } from './errors';
import { processObject, type PipelineDeps } from './pipeline';
import type { DeliveryReport } from './report';
import { logReport, recordReportMetrics, type LoggerLike, type MetricsLike } from './telemetry';
import { isSqsEvent, readTrigger } from './trigger';

export interface IngestDeps extends PipelineDeps {
  readonly logger: LoggerLike;
  readonly metrics: MetricsLike;
}

export interface IngestSummary {
  readonly reports: DeliveryReport[];
}

/**
 * The Lambda's whole job for one trigger event. SQS batches report failed messages
 * individually (ReportBatchItemFailures); any other trigger throws DeliveryFailedError when
 * an object failed, so the asynchronous invoke is retried and then lands on the
 * on-failure destination with the event that names the object.
 */
export async function ingestEvent(
  event: unknown,
  deps: IngestDeps,
  context?: Context,
): Promise<IngestSummary | SQSBatchResponse> {
  if (isSqsEvent(event)) return ingestSqsBatch(event, deps, context);
  return { reports: await ingestPayload(event, deps) };
}

/** Processes every object a payload names, one after another; throws if any failed. */
export async function ingestPayload(payload: unknown, deps: IngestDeps): Promise<DeliveryReport[]> {
  let trigger;
  try {
    trigger = readTrigger(payload);
  } catch (err) {
    if (err instanceof UnrecognisedTriggerError) {
      deps.logger.error(`trigger not recognised: ${err.message}`);
      deps.metrics.addCountWithReason('TriggersRejected', err.reason);
    }
    throw err;
  }
  for (const notice of trigger.ignored) {
    // S3's test event, deletions, …: nothing to read, but never silently dropped
    deps.logger.info(`trigger entry ignored: ${notice.reason}`, { bucket: notice.bucket, key: notice.key });
    deps.metrics.addCountWithReason('TriggerEntriesIgnored', 'NotObjectCreated');
  }
  const reports: DeliveryReport[] = [];
  for (const ref of trigger.objects) {
    const report = await processObject(ref, deps);
    logReport(deps.logger, report);
    recordReportMetrics(deps.metrics, report);
    reports.push(report);
  }
  const failed = reports.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    throw new DeliveryFailedError(
      `${failed.length} of ${reports.length} objects failed: ` +
        failed.map((r) => `s3://${r.object.bucket}/${r.object.key} (${r.error?.reason})`).join(', '),
      failed.map((r) => ({ bucket: r.object.bucket, key: r.object.key, versionId: r.object.versionId, reason: r.error?.reason ?? 'Unknown' })),
    );
  }
  return reports;
}

async function ingestSqsBatch(event: SQSEvent, deps: IngestDeps, context?: Context): Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      throw new UnrecognisedTriggerError(`SQS message ${record.messageId} is not JSON`);
    }
    await ingestPayload(body, deps);
  };
  // throwOnFullBatchFailure: a batch in which every message failed still reports them one
  // by one, so SQS retries each and its redrive policy moves the poison ones aside.
  return processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
}

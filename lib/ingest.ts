import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyAlreadyInProgressError, IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { ObjectRef } from './cloudtrail/types';
import type { AlertLedger } from './dedup/alert-ledger';
import { DeliveryFailedError, UnrecognisedTriggerError } from './errors';
import { DiscardingSink } from './forward/sink';
import { processObject, type PipelineDeps } from './pipeline';
import { findingTotal, type DeliveryReport } from './report';
import { logReport, recordReportMetrics, type LoggerLike, type MetricsLike } from './telemetry';
import { isSqsEvent, readTrigger } from './trigger';

/**
 * One audience for a delivery's notification (people by email, machines by SQS/Lambda/
 * HTTPS): publishes it if the report warrants one, throws if it could not. Each channel
 * de-duplicates on its own, so a retry after one channel failed does not repeat the others.
 */
export interface AlertChannel {
  /** Stable name; namespaces this channel's claims in the alert ledger. */
  readonly name: string;
  notify(report: DeliveryReport): Promise<{ published: boolean; messageId?: string }>;
}

export interface IngestDeps extends PipelineDeps {
  readonly logger: LoggerLike;
  readonly metrics: MetricsLike;
  /** Findings already alerted (same rule, same event) are dropped before notifying. */
  readonly ledger?: AlertLedger;
  readonly channels?: readonly AlertChannel[];
  /**
   * Object-level idempotency (Powertools, DynamoDB): a duplicate S3 event for an object
   * already processed returns the stored summary instead of forwarding it again.
   */
  readonly idempotency?: { readonly store: BasePersistenceLayer; readonly expiresAfterSeconds?: number };
}

export interface IngestSummary {
  readonly objects: ObjectSummary[];
}

/** What is kept (and returned for a duplicate) per object: small enough for one DynamoDB item. */
export interface ObjectSummary {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly status: DeliveryReport['status'];
  readonly reason: string;
  /** The typed error's reason (e.g. `NoSuchKey`) when status is `failed`. */
  readonly errorReason?: string;
  readonly recordsRead: number;
  readonly recordsForwarded: number;
  readonly findings: number;
  readonly alerted: number;
  readonly notified: boolean;
  /** True when this invocation did not process the object: a duplicate event. */
  readonly duplicate?: boolean;
  /** Records forwarded but alerts not sent: a retry re-reads the object only to alert. */
  readonly alertsPending?: boolean;
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
  const deliver = objectDelivery(deps, context);
  if (isSqsEvent(event)) return ingestSqsBatch(event, deps, deliver, context);
  return { objects: await ingestPayload(event, deps, deliver) };
}

type Deliver = (ref: ObjectRef) => Promise<ObjectSummary>;

/** Thrown inside the idempotent section so that Powertools forgets a failed object (it is retried). */
class ObjectFailed extends Error {
  constructor(readonly summary: ObjectSummary) {
    super(summary.reason);
  }
}

function objectDelivery(deps: IngestDeps, context?: Context): Deliver {
  let ran = false;
  const run = async (ref: ObjectRef): Promise<ObjectSummary> => {
    ran = true;
    const report = await processObject(ref, deps);
    const outcome = await alertIfProcessed(report, deps);
    logReport(deps.logger, report);
    recordReportMetrics(deps.metrics, report);
    const summary = summarise(report, outcome.alerted, outcome.notified);
    // Records forwarded, alerts not sent: remember the object as done (its records must not
    // be forwarded again) but pending alerts; the invocation still fails, and the retry only
    // re-reads the file to alert.
    if (outcome.pending) return { ...summary, alertsPending: true };
    if (report.status === 'failed') throw new ObjectFailed(summary);
    return summary;
  };
  const guarded = deps.idempotency ? idempotent(run, deps.idempotency, context) : run;
  return async (ref) => {
    ran = false;
    try {
      const summary = await guarded(ref);
      if (ran) return summary;
      if (summary.alertsPending) return await alertPending(ref, summary, deps);
      deps.logger.info('object already processed: duplicate event ignored', { bucket: ref.bucket, key: ref.key, versionId: ref.versionId });
      deps.metrics.addMetric('DuplicateDeliveries', 'Count', 1);
      return { ...summary, duplicate: true };
    } catch (err) {
      if (err instanceof ObjectFailed) return err.summary;
      if (err instanceof IdempotencyAlreadyInProgressError) {
        // a concurrent duplicate: fail this one so that it is retried once the other is done
        deps.logger.warn('object is being processed by another invocation: will be retried', { bucket: ref.bucket, key: ref.key });
        deps.metrics.addMetric('ConcurrentDuplicateDeliveries', 'Count', 1);
      }
      throw err;
    }
  };
}

/** Alerts for a processed report; a failure to notify marks the report failed and pending. */
async function alertIfProcessed(report: DeliveryReport, deps: IngestDeps): Promise<{ alerted: number; notified: boolean; pending: boolean }> {
  if (report.status !== 'processed') return { alerted: 0, notified: false, pending: false };
  try {
    return { ...(await alert(report, deps)), pending: false };
  } catch (err) {
    report.status = 'failed';
    report.error = { reason: 'NotifyFailed', message: err instanceof Error ? err.message : String(err) };
    report.reason = `NotifyFailed: ${report.error.message}`;
    return { alerted: 0, notified: false, pending: true };
  }
}

/**
 * A retry of an object whose records were forwarded but whose alerts failed: read it again
 * for its findings only (the alert ledger keeps each one to a single alert per channel).
 */
async function alertPending(ref: ObjectRef, previous: ObjectSummary, deps: IngestDeps): Promise<ObjectSummary> {
  // the records were forwarded before: read them again for their findings only
  const report = await processObject(ref, { ...deps, sink: new DiscardingSink() });
  const outcome = await alertIfProcessed(report, deps);
  deps.metrics.addMetric('PendingAlertsRetried', 'Count', 1);
  const where = { bucket: ref.bucket, key: ref.key, versionId: ref.versionId, findings: report.findings.length };
  if (report.status === 'processed') {
    deps.logger.info('alerts sent on retry: the records were forwarded before and were not forwarded again', where);
    return { ...previous, status: 'processed', reason: 'alerts sent on retry', alerted: outcome.alerted, notified: outcome.notified, alertsPending: undefined };
  }
  deps.logger.error(`alerts still pending: ${report.reason}`, where);
  return { ...previous, status: 'failed', reason: report.reason, errorReason: report.error?.reason ?? 'Unknown' };
}

function idempotent(run: Deliver, options: NonNullable<IngestDeps['idempotency']>, context?: Context): Deliver {
  const config = new IdempotencyConfig({
    // One object version is one delivery, whichever retry carried it. Unversioned buckets:
    // the ETag tells an overwrite from a duplicate (CloudTrail never overwrites its keys, but a
    // replay tool or a person might); a trigger without either (CloudTrail's own SNS
    // notification) dedups on the key alone.
    eventKeyJmesPath: '[bucket, key, versionId || eTag]',
    expiresAfterSeconds: options.expiresAfterSeconds ?? 7 * 24 * 3600,
  });
  if (context) config.registerLambdaContext(context);
  return makeIdempotent(run, { persistenceStore: options.store, config });
}

async function alert(report: DeliveryReport, deps: IngestDeps): Promise<{ alerted: number; notified: boolean }> {
  let alerted = 0;
  let notified = false;
  let failure: unknown;
  for (const channel of deps.channels ?? []) {
    try {
      const outcome = await alertChannel(report, channel, deps);
      alerted = Math.max(alerted, outcome.alerted);
      notified ||= outcome.notified;
    } catch (err) {
      failure ??= err;
    }
  }
  if (failure !== undefined) throw failure;
  return { alerted, notified };
}

async function alertChannel(
  report: DeliveryReport,
  channel: AlertChannel,
  deps: IngestDeps,
): Promise<{ alerted: number; notified: boolean }> {
  let fresh = report.findings;
  let claimed: string[] = [];
  if (deps.ledger && fresh.length > 0) {
    const keyOf = (dedupKey: string) => `${channel.name}#${dedupKey}`;
    const mine = await deps.ledger.claim(fresh.map((f) => keyOf(f.dedupKey)));
    claimed = [...mine];
    const suppressed = fresh.filter((f) => !mine.has(keyOf(f.dedupKey))).length;
    if (suppressed > 0) deps.metrics.addMetric('FindingsSuppressedAsDuplicate', 'Count', suppressed);
    fresh = fresh.filter((f) => mine.has(keyOf(f.dedupKey)));
  }
  try {
    const outcome = await channel.notify({ ...report, findings: fresh });
    if (outcome.published) deps.metrics.addMetric('NotificationsPublished', 'Count', 1);
    return { alerted: fresh.length, notified: outcome.published };
  } catch (err) {
    // give the claims back, so that the retry alerts for them on this channel
    if (deps.ledger && claimed.length > 0) await deps.ledger.release(claimed);
    deps.metrics.addMetric('NotificationsFailed', 'Count', 1);
    throw err;
  }
}

function summarise(report: DeliveryReport, alerted: number, notified: boolean): ObjectSummary {
  return {
    bucket: report.object.bucket,
    key: report.object.key,
    // no undefined values: the summary is stored as a DynamoDB item
    ...(report.object.versionId !== undefined ? { versionId: report.object.versionId } : {}),
    status: report.status,
    reason: report.reason,
    ...(report.error ? { errorReason: report.error.reason } : {}),
    recordsRead: report.records.read,
    recordsForwarded: report.records.forwarded,
    findings: findingTotal(report),
    alerted,
    notified,
  };
}

/** Processes every object a payload names, one after another; throws if any failed. */
export async function ingestPayload(payload: unknown, deps: IngestDeps, deliver: Deliver = objectDelivery(deps)): Promise<ObjectSummary[]> {
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
  const summaries: ObjectSummary[] = [];
  for (const ref of trigger.objects) summaries.push(await deliver(ref));
  const failed = summaries.filter((s) => s.status === 'failed');
  if (failed.length > 0) {
    throw new DeliveryFailedError(
      `${failed.length} of ${summaries.length} objects failed: ` +
        failed.map((s) => `s3://${s.bucket}/${s.key} (${s.errorReason ?? 'Unknown'})`).join(', '),
      failed.map((s) => ({ bucket: s.bucket, key: s.key, versionId: s.versionId, reason: s.errorReason ?? 'Unknown' })),
    );
  }
  return summaries;
}

async function ingestSqsBatch(event: SQSEvent, deps: IngestDeps, deliver: Deliver, context?: Context): Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      throw new UnrecognisedTriggerError(`SQS message ${record.messageId} is not JSON`);
    }
    await ingestPayload(body, deps, deliver);
  };
  // throwOnFullBatchFailure: a batch in which every message failed still reports them one
  // by one, so SQS retries each and its redrive policy moves the poison ones aside.
  return processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
}

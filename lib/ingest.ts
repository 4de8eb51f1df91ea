import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyAlreadyInProgressError, IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { JSONValue } from '@aws-lambda-powertools/commons/types';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { classifyKey } from './cloudtrail/classify';
import type { ObjectVersion } from './cloudtrail/source';
import type { ObjectRef } from './cloudtrail/types';
import type { AlertLedger } from './dedup/alert-ledger';
import { DeliveryFailedError, UnrecognisedTriggerError } from './errors';
import { NotifyPartialError } from './notify/errors';
import { DiscardingSink } from './forward/sink';
import { processObject, type PipelineDeps } from './pipeline';
import { findingTotal, type DeliveryReport } from './report';
import { logReport, recordReportMetrics, type LoggerLike, type MetricsLike } from './telemetry';
import { removalReport } from './integrity/deletions';
import { isSqsEvent, readTrigger, type RemovedObject } from './trigger';

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

/**
 * What makes two triggers the same delivery: bucket, key and the object's version (its
 * version id, or its ETag in an unversioned bucket). Plain JSON: the idempotency key is
 * hashed from it.
 */
interface ObjectIdentity {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly eTag?: string;
}

/** Per object, per call: never shared between the objects a batch runs in parallel. */
interface RunState {
  ran: boolean;
}

function objectDelivery(deps: IngestDeps, context?: Context): Deliver {
  const run = async (_identity: ObjectIdentity, ref: ObjectRef, state: RunState): Promise<ObjectSummary> => {
    state.ran = true;
    const report = await processObject(ref, deps);
    const outcome = await alertIfProcessed(report, deps);
    logReport(deps.logger, report);
    recordReportMetrics(deps.metrics, report);
    const summary = summarise(report, outcome.alerted, outcome.notified);
    // Records forwarded, alerts not sent: remember the object as done (its records must not
    // be forwarded again) but pending alerts; a failed channel still fails the invocation,
    // and the retry only re-reads the file to alert.
    if (outcome.pending) return { ...summary, alertsPending: true };
    if (report.status === 'failed') throw new ObjectFailed(summary);
    return summary;
  };
  const guard = deps.idempotency ? idempotencyGuard(run, deps.idempotency, context) : undefined;
  return async (ref) => {
    const state: RunState = { ran: false };
    const identity = await identify(ref, deps);
    // a versioned bucket: read exactly the version the identity names
    const pinned: ObjectRef = identity.versionId !== undefined && ref.versionId === undefined ? { ...ref, versionId: identity.versionId } : ref;
    try {
      const summary = guard ? await guard.run(identity, pinned, state) : await run(identity, pinned, state);
      if (state.ran) return summary;
      if (summary.alertsPending) {
        const after = await alertPending(pinned, summary, deps);
        // sent: clear the mark, so the next duplicate is a plain duplicate, not another re-read
        if (!after.alertsPending) await guard?.remember(identity, after);
        return after;
      }
      deps.logger.info('object already processed: duplicate event ignored', { bucket: ref.bucket, key: ref.key, versionId: identity.versionId });
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

/**
 * The object's identity from the store itself when it can tell (S3 HeadObject), so an S3
 * event (which carries an ETag) and CloudTrail's SNS notification (which carries none) for
 * one file are one delivery. Keys that are skipped by name are not asked about; if the
 * store cannot answer, what the trigger said is used and the read itself reports the problem.
 */
async function identify(ref: ObjectRef, deps: IngestDeps): Promise<ObjectIdentity> {
  if (!deps.source.identify || !classifyKey(ref.key).process) return identityOf(ref, ref);
  try {
    const version = await deps.source.identify(ref);
    return version.versionId === undefined && version.eTag === undefined ? identityOf(ref, ref) : identityOf(ref, version);
  } catch {
    return identityOf(ref, ref);
  }
}

/** Plain JSON without undefined values: the idempotency key is hashed from it. */
function identityOf(ref: ObjectRef, version: ObjectVersion): ObjectIdentity {
  return {
    bucket: ref.bucket,
    key: ref.key,
    ...(version.versionId !== undefined ? { versionId: version.versionId } : {}),
    ...(version.eTag !== undefined ? { eTag: version.eTag } : {}),
  };
}

/** Alerts for a processed report; a failure to notify marks the report failed and pending. */
async function alertIfProcessed(report: DeliveryReport, deps: IngestDeps): Promise<{ alerted: number; notified: boolean; pending: boolean }> {
  if (report.status !== 'processed') return { alerted: 0, notified: false, pending: false };
  if ((deps.channels ?? []).length === 0) {
    // No channel to publish on (alerts switched off for a local run or a replay): the findings
    // are kept pending, never recorded as alerted, so a later run with channels sends them.
    if (report.findings.length === 0) return { alerted: 0, notified: false, pending: false };
    deps.logger.warn(`alerts left pending: no alert channel in this run (${findingTotal(report)} findings)`, {
      bucket: report.object.bucket,
      key: report.object.key,
    });
    deps.metrics.addMetric('AlertsLeftPending', 'Count', 1);
    return { alerted: 0, notified: false, pending: true };
  }
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
 * A retry of an object whose records were forwarded but whose alerts were not sent: read it
 * again for its findings only (the alert ledger keeps each one to a single alert per channel).
 */
async function alertPending(ref: ObjectRef, previous: ObjectSummary, deps: IngestDeps): Promise<ObjectSummary> {
  // the records were forwarded before: read them again for their findings only
  const report = await processObject(ref, { ...deps, sink: new DiscardingSink() });
  const outcome = await alertIfProcessed(report, deps);
  deps.metrics.addMetric('PendingAlertsRetried', 'Count', 1);
  const where = { bucket: ref.bucket, key: ref.key, versionId: ref.versionId, findings: findingTotal(report) };
  if (report.status === 'processed' && !outcome.pending) {
    deps.logger.info('pending alerts sent: the records were forwarded before and were not forwarded again', where);
    const { alertsPending: _sent, ...rest } = previous;
    return { ...rest, status: 'processed', reason: 'pending alerts sent', findings: findingTotal(report), alerted: outcome.alerted, notified: outcome.notified };
  }
  if (report.status === 'processed') return previous; // still no channel: stays pending, said above
  deps.logger.error(`alerts still pending: ${report.reason}`, where);
  return { ...previous, status: 'failed', reason: report.reason, errorReason: report.error?.reason ?? 'Unknown' };
}

interface IdempotencyGuard {
  run(identity: ObjectIdentity, ref: ObjectRef, state: RunState): Promise<ObjectSummary>;
  /** Replaces the stored summary of an object already processed. */
  remember(identity: ObjectIdentity, summary: ObjectSummary): Promise<void>;
}

type Run = (identity: ObjectIdentity, ref: ObjectRef, state: RunState) => Promise<ObjectSummary>;

function idempotencyGuard(run: Run, options: NonNullable<IngestDeps['idempotency']>, context?: Context): IdempotencyGuard {
  const config = new IdempotencyConfig({
    // One object version is one delivery, whichever trigger or retry carried it. Unversioned
    // buckets: the ETag tells an overwrite from a duplicate (CloudTrail never overwrites its
    // keys, but a replay tool or a person might). Same expression as before the identity was
    // asked of S3, so records written by earlier versions still match.
    eventKeyJmesPath: '[bucket, key, versionId || eTag]',
    expiresAfterSeconds: options.expiresAfterSeconds ?? 7 * 24 * 3600,
  });
  if (context) config.registerLambdaContext(context);
  return {
    run: makeIdempotent(run, { persistenceStore: options.store, config }),
    // the store was configured by the idempotent call that returned the summary being replaced
    remember: (identity, summary) => options.store.saveSuccess(identity as unknown as JSONValue, summary as unknown as JSONValue),
  };
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
    // give the claims back, so that the retry alerts for them on this channel; an output that
    // delivered some findings (Security Hub, EventBridge) keeps the claims of those
    if (deps.ledger && claimed.length > 0) await deps.ledger.release(undeliveredClaims(err, claimed, channel.name));
    deps.metrics.addMetric('NotificationsFailed', 'Count', 1);
    throw err;
  }
}

/** The claims to give back after a failed notify: all of them, or only the undelivered findings'. */
function undeliveredClaims(err: unknown, claimed: readonly string[], channelName: string): string[] {
  if (!(err instanceof NotifyPartialError)) return [...claimed];
  const undelivered = new Set(err.undelivered.map((dedupKey) => `${channelName}#${dedupKey}`));
  return claimed.filter((key) => undelivered.has(key));
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
  for (const removed of trigger.removed) {
    const summary = await reportRemoval(removed, deps);
    if (summary) summaries.push(summary);
  }
  const failed: Pick<ObjectSummary, 'bucket' | 'key' | 'versionId' | 'errorReason'>[] = summaries.filter((s) => s.status === 'failed');
  for (const entry of trigger.rejected) {
    // the event's other objects were read; this entry fails the event, so it reaches the
    // failure destination with its reason instead of vanishing
    deps.logger.error(`trigger entry rejected: ${entry.error.message}`, { bucket: entry.bucket, key: entry.key });
    deps.metrics.addCountWithReason('TriggersRejected', entry.error.reason);
    failed.push({ bucket: entry.bucket, key: entry.key, errorReason: entry.error.reason });
  }
  if (failed.length > 0) {
    throw new DeliveryFailedError(
      `${failed.length} of ${summaries.length + trigger.rejected.length} objects failed: ` +
        failed.map((s) => `s3://${s.bucket}/${s.key} (${s.errorReason ?? 'Unknown'})`).join(', '),
      failed.map((s) => ({ bucket: s.bucket, key: s.key, versionId: s.versionId, reason: s.errorReason ?? 'Unknown' })),
    );
  }
  return summaries;
}

/**
 * A deletion under the trail prefix: a finding from the event alone, alerted like any other
 * (ledger de-dup, channels). Not idempotency-guarded: the ledger keeps a re-delivered event to
 * one alert, and a channel failure fails the event so it is retried. With the integrity check
 * off, or for a key that is no CloudTrail log or digest file, it is logged as ignored.
 */
async function reportRemoval(removed: RemovedObject, deps: IngestDeps): Promise<ObjectSummary | undefined> {
  const report = deps.digests ? removalReport(removed) : undefined;
  if (report === undefined) {
    const why = deps.digests ? 'not a CloudTrail log or digest file' : 'log file integrity is off (LOG_INTEGRITY)';
    deps.logger.info(`trigger entry ignored: ${removed.event} deletion, ${why}`, { bucket: removed.bucket, key: removed.key });
    deps.metrics.addCountWithReason('TriggerEntriesIgnored', 'NotObjectCreated');
    return undefined;
  }
  const outcome = await alertIfProcessed(report, deps);
  logReport(deps.logger, report);
  recordReportMetrics(deps.metrics, report);
  return summarise(report, outcome.alerted, outcome.notified);
}

async function ingestSqsBatch(event: SQSEvent, deps: IngestDeps, deliver: Deliver, context?: Context): Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      // the message stays on the queue (batch item failure) and its redrive policy moves it aside
      const err = new UnrecognisedTriggerError(`SQS message ${record.messageId} is not JSON (${record.body.length} characters)`);
      deps.logger.error(`trigger not recognised: ${err.message}`, { messageId: record.messageId });
      deps.metrics.addCountWithReason('TriggersRejected', err.reason);
      throw err;
    }
    await ingestPayload(body, deps, deliver);
  };
  // throwOnFullBatchFailure: a batch in which every message failed still reports them one
  // by one, so SQS retries each and its redrive policy moves the poison ones aside.
  return processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
}

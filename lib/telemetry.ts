import type { AnomalyRunResult } from './anomaly';
import type { Finding } from './findings';
import type { DeliveryReport } from './report';
import { rejectedTotal } from './report';

/** The slice of Powertools Metrics the pipeline's telemetry uses (a fake in unit tests). */
export interface MetricsLike {
  addMetric(name: string, unit: 'Count' | 'Bytes' | 'Milliseconds', value: number): void;
  /** A count with a `Reason` dimension (a separate EMF blob, so other metrics keep their dimensions). */
  addCountWithReason(name: string, reason: string): void;
  /**
   * `count` under one dimension whose values come from a small fixed set (a severity, a rule
   * id of the loaded pack), as its own EMF blob like `addCountWithReason`.
   */
  addCountBy(name: string, dimension: string, value: string, count: number): void;
}

/** The slice of Powertools Logger used here. */
export interface LoggerLike {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/**
 * One structured log line per object, naming it (bucket, key, version) so it can be found
 * and replayed, with its counts. Record contents are never logged: they can carry
 * request parameters an operator must not see in plain logs.
 */
export function logReport(logger: LoggerLike, report: DeliveryReport): void {
  const fields = {
    bucket: report.object.bucket,
    key: report.object.key,
    versionId: report.object.versionId,
    kind: report.kind,
    status: report.status,
    reason: report.reason,
    accountId: report.accountId,
    region: report.region,
    logStream: report.logStream,
    records: report.records,
    bytes: report.bytes,
    putLogEventsCalls: report.putLogEventsCalls,
    durationMs: report.durationMs,
    findings: countByRule(report),
    ...(report.matched && report.matched.listed < report.matched.findings ? { findingsNotListed: report.matched.notListed } : {}),
    ...(report.suppressed ? { suppressed: suppressedByException(report) } : {}),
    error: report.error,
    ...(report.integrity ? { integrity: report.integrity } : {}),
  };
  if (report.status === 'failed') {
    logger.error(
      `log file failed (${report.error?.reason}) after ${report.records.read} records read, ${report.records.forwarded} forwarded`,
      fields,
    );
  } else if (report.status === 'skipped') {
    logger.info(`object skipped: ${report.reason}`, fields);
  } else {
    const rejected = rejectedTotal(report);
    const line = `log file processed: ${report.records.read} records read, ${report.records.forwarded} forwarded, ${rejected} rejected`;
    if (rejected > 0) logger.warn(line, fields);
    else logger.info(line, fields);
  }
}

/** EMF metrics for one object. Names are stable: dashboards and alarms depend on them. */
export function recordReportMetrics(metrics: MetricsLike, report: DeliveryReport): void {
  metrics.addMetric('ObjectsSeen', 'Count', 1);
  if (report.status === 'processed') metrics.addMetric('ObjectsProcessed', 'Count', 1);
  if (report.status === 'skipped') {
    metrics.addMetric('ObjectsSkipped', 'Count', 1);
    metrics.addCountWithReason('ObjectsSkippedByReason', report.kind);
  }
  if (report.status === 'failed') {
    metrics.addMetric('ObjectsFailed', 'Count', 1);
    metrics.addCountWithReason('ObjectsFailedByReason', report.error?.reason ?? 'Unknown');
  }
  if (report.status === 'skipped') return;
  const r = report.records;
  metrics.addMetric('RecordsRead', 'Count', r.read);
  metrics.addMetric('RecordsForwarded', 'Count', r.forwarded);
  metrics.addMetric('RecordsRejected', 'Count', rejectedTotal(report));
  metrics.addMetric('RecordsRejectedTooOld', 'Count', r.rejected.tooOld + r.rejected.expired);
  metrics.addMetric('RecordsRejectedTooNew', 'Count', r.rejected.tooNew);
  metrics.addMetric('RecordsRejectedTooLarge', 'Count', r.rejected.tooLarge);
  metrics.addMetric('BytesCompressed', 'Bytes', report.bytes.compressed);
  metrics.addMetric('BytesDecompressed', 'Bytes', report.bytes.decompressed);
  metrics.addMetric('BytesForwarded', 'Bytes', report.bytes.forwarded);
  metrics.addMetric('PutLogEventsCalls', 'Count', report.putLogEventsCalls);
  metrics.addMetric('ObjectDuration', 'Milliseconds', report.durationMs);
  recordFindingMetrics(metrics, report.findings);
  for (const [exception, n] of Object.entries(suppressedByException(report))) metrics.addCountBy('FindingsSuppressed', 'ExceptionId', exception, n);
  recordIntegrityMetrics(metrics, report);
}

/** Log file integrity: hashes not kept, digests checked and found invalid, log files found invalid. */
function recordIntegrityMetrics(metrics: MetricsLike, report: DeliveryReport): void {
  const integrity = report.integrity;
  if (!integrity) return;
  if (integrity.hashStored === false) metrics.addMetric('LogHashStoreFailed', 'Count', 1);
  if (integrity.deleted) metrics.addMetric('CloudTrailFilesDeleted', 'Count', 1);
  if (integrity.digest) {
    metrics.addMetric('DigestsVerified', 'Count', 1);
    if (!integrity.digest.valid) metrics.addMetric('DigestsInvalid', 'Count', 1);
    metrics.addMetric('LogFilesVerified', 'Count', integrity.digest.logFiles.total);
    metrics.addMetric('LogFilesInvalid', 'Count', integrity.digest.logFiles.total - integrity.digest.logFiles.valid);
  }
}

/**
 * Matches each exception suppressed in the delivery (summed over its rules). Exception ids
 * come from the loaded exception files, never from a record, so the dimension is bounded.
 */
function suppressedByException(report: DeliveryReport): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of report.suppressed ?? []) counts[s.exception] = (counts[s.exception] ?? 0) + s.matches;
  return counts;
}

/**
 * Events matched per rule id, listed or not (`matched`: the finding limits do not shorten
 * it): enough for the log line without repeating untrusted record content.
 */
function countByRule(report: DeliveryReport): Record<string, number> {
  const counts: Record<string, number> = {};
  if (report.matched) {
    for (const rule of report.matched.rules) counts[rule.ruleId] = (counts[rule.ruleId] ?? 0) + rule.events;
    return counts;
  }
  for (const f of report.findings) counts[f.ruleId] = (counts[f.ruleId] ?? 0) + f.count;
  return counts;
}

/**
 * Findings of one delivery: the total, per severity and per rule. Both dimensions are
 * bounded: 5 severities; rule ids come from the loaded rule files and the fixed anomaly and
 * Insights ids, never from a record, so there are at most as many values as the pack has rules.
 */
function recordFindingMetrics(metrics: MetricsLike, findings: readonly Finding[]): void {
  metrics.addMetric('Findings', 'Count', findings.length);
  const bySeverity = new Map<string, number>();
  const byRule = new Map<string, number>();
  for (const f of findings) {
    bySeverity.set(f.severity, (bySeverity.get(f.severity) ?? 0) + 1);
    byRule.set(f.ruleId, (byRule.get(f.ruleId) ?? 0) + 1);
  }
  for (const [severity, n] of bySeverity) metrics.addCountBy('FindingsBySeverity', 'Severity', severity, n);
  for (const [ruleId, n] of byRule) metrics.addCountBy('FindingsByRule', 'RuleId', ruleId, n);
}

/**
 * The Insights-like signal's outcome for one delivery. A failed baseline store loses that
 * delivery's counts (lib/anomaly/README.md, "Store failures"): an ERROR line and the metric
 * `AnomalyStoreFailures`, which the stack's alarm watches, never an INFO line only.
 */
export function recordAnomalyResult(logger: LoggerLike, metrics: MetricsLike, result: AnomalyRunResult): void {
  const line = `anomaly detection: ${result.status}: ${result.reason}`;
  if (result.status === 'failed') {
    logger.error(line, { anomaly: result });
    metrics.addMetric('AnomalyStoreFailures', 'Count', 1);
  } else {
    logger.info(line, { anomaly: result });
  }
  if (result.transitions?.start) metrics.addMetric('AnomalyStarts', 'Count', result.transitions.start);
  if (result.transitions?.end) metrics.addMetric('AnomalyEnds', 'Count', result.transitions.end);
}

/**
 * The namespace, and the `service` dimension every metric carries when POWERTOOLS_SERVICE_NAME
 * is not set (functions/commons/telemetry.ts); the deployed function sets `<service>-<stage>`.
 */
export const METRIC_NAMESPACE = 'Trailwatch';
export const METRIC_SERVICE = 'trailwatch';

export interface EmittedMetric {
  readonly name: string;
  readonly unit: 'Count' | 'Bytes' | 'Milliseconds';
  /** Every dimension name, `service` included, exactly as the EMF blob declares them. */
  readonly dimensions: readonly string[];
  readonly meaning: string;
}

const plain = (name: string, meaning: string, unit: EmittedMetric['unit'] = 'Count'): EmittedMetric => ({ name, unit, dimensions: ['service'], meaning });
const by = (name: string, dimension: string, meaning: string): EmittedMetric => ({ name, unit: 'Count', dimensions: ['service', dimension], meaning });

/**
 * Every metric the code emits, with its dimensions. Alarms and the dashboard in
 * serverless.yml may name only these (test/integration/operations.test.ts), and a test scans
 * the sources so that a metric emitted but not listed, or listed but no longer emitted, fails.
 */
export const EMITTED_METRICS: readonly EmittedMetric[] = [
  plain('ObjectsSeen', 'objects named by a trigger and run through the pipeline'),
  plain('ObjectsProcessed', 'log and Insights files read to the end'),
  plain('ObjectsSkipped', 'objects that are not log files (digest, Config probe, …)'),
  by('ObjectsSkippedByReason', 'Reason', 'the same, per key kind'),
  plain('ObjectsFailed', 'objects that failed (they reach the failure queue after the retries)'),
  by('ObjectsFailedByReason', 'Reason', 'the same, per typed error reason'),
  plain('RecordsRead', 'records read'),
  plain('RecordsForwarded', 'records CloudWatch Logs accepted'),
  plain('RecordsRejected', 'records CloudWatch Logs rejected one by one'),
  plain('RecordsRejectedTooOld', 'rejected: older than 14 days or the retention'),
  plain('RecordsRejectedTooNew', 'rejected: more than 2 h in the future'),
  plain('RecordsRejectedTooLarge', 'not sent: over the event size limit'),
  plain('BytesCompressed', 'gzip bytes read', 'Bytes'),
  plain('BytesDecompressed', 'JSON bytes decoded', 'Bytes'),
  plain('BytesForwarded', 'bytes sent to CloudWatch Logs', 'Bytes'),
  plain('PutLogEventsCalls', 'PutLogEvents calls'),
  plain('ObjectDuration', 'time to process one object', 'Milliseconds'),
  plain('Findings', 'findings per delivery'),
  by('FindingsBySeverity', 'Severity', 'findings per severity'),
  by('FindingsByRule', 'RuleId', 'findings per rule id'),
  by('FindingsSuppressed', 'ExceptionId', 'rule matches an exception suppressed, per exception id (lib/rules/exceptions)'),
  plain('DuplicateDeliveries', 'events for an object already processed (ignored)'),
  plain('ConcurrentDuplicateDeliveries', 'events for an object another invocation is processing (retried)'),
  plain('PendingAlertsRetried', 'objects re-read only to send alerts left pending'),
  plain('AlertsLeftPending', 'objects processed with findings but no alert channel (alerts off): pending for a later run'),
  plain('FindingsSuppressedAsDuplicate', 'findings already alerted for the same event'),
  plain('NotificationsPublished', 'SNS messages published'),
  plain('NotificationsFailed', 'SNS publishes that failed after retries'),
  by('TriggersRejected', 'Reason', 'trigger events not recognised'),
  by('TriggerEntriesIgnored', 'Reason', 'trigger entries that name no new object (deletions, S3 test events)'),
  plain('AnomalyStoreFailures', 'deliveries whose anomaly counts were lost to a baseline-store failure'),
  plain('AnomalyStarts', 'Insights-like anomalies started'),
  plain('AnomalyEnds', 'Insights-like anomalies ended'),
  plain('RuleFilesBroken', 'user rule files skipped at cold start because they do not load (not RULES_STRICT)'),
  plain('SecurityHubFindingsImported', 'findings Security Hub took (BatchImportFindings)'),
  plain('SecurityHubFindingsFailed', 'findings Security Hub refused one by one (FailedFindings), each retried'),
  plain('SecurityHubFindingsUndelivered', 'findings not imported after the retries: left for the Lambda retry'),
  plain('EventBridgeEventsPut', 'events EventBridge took (PutEvents)'),
  plain('EventBridgeEntriesFailed', 'entries EventBridge refused one by one (FailedEntryCount), each retried'),
  plain('EventBridgeEventsUndelivered', 'events not put after the retries: left for the Lambda retry'),
  plain('LogHashStoreFailed', 'log files whose hash could not be kept for the digest check (the digest check reads them again)'),
  plain('DigestsVerified', 'CloudTrail digest files checked'),
  plain('DigestsInvalid', 'CloudTrail digest files found invalid (moved, signature, chain)'),
  plain('LogFilesVerified', 'log files compared with a digest'),
  plain('LogFilesInvalid', 'log files a digest lists that are modified or missing'),
  plain('CloudTrailFilesDeleted', 'CloudTrail log or digest files deleted by a request (ObjectRemoved / "Object Deleted" events)'),
];

export function emittedMetric(name: string): EmittedMetric | undefined {
  return EMITTED_METRICS.find((m) => m.name === name);
}

import type { DeliveryReport } from './report';
import { rejectedTotal } from './report';

/** The slice of Powertools Metrics the pipeline's telemetry uses (a fake in unit tests). */
export interface MetricsLike {
  addMetric(name: string, unit: 'Count' | 'Bytes' | 'Milliseconds', value: number): void;
  /** A count with a `Reason` dimension (a separate EMF blob, so other metrics keep their dimensions). */
  addCountWithReason(name: string, reason: string): void;
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
    error: report.error,
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

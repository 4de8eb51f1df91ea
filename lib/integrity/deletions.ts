import { classifyKey } from '../cloudtrail/classify';
import type { RemovedObject } from '../trigger';
import { emptyReport, type DeliveryReport } from '../report';
import { fileDeletedFinding } from './findings';

/**
 * A deletion event as a delivery report with one finding, when the key is a CloudTrail log
 * or digest file; undefined for any other key (the caller logs it as ignored). Pure: the
 * event says all there is to say, nothing is read from the bucket, so the finding goes out
 * in the invocation the event reaches, through the same ledger and channels as any other.
 */
export function removalReport(removed: RemovedObject): DeliveryReport | undefined {
  const key = classifyKey(removed.key);
  if (key.kind !== 'log' && key.kind !== 'digest') return undefined;
  const what = key.kind === 'log' ? 'CloudTrail log file' : 'CloudTrail digest file';
  const report = emptyReport(
    { bucket: removed.bucket, key: removed.key, ...(removed.versionId === undefined ? {} : { versionId: removed.versionId }), ...(removed.sequencer === undefined ? {} : { sequencer: removed.sequencer }) },
    key.kind,
    `${what} deleted (${removed.event}): tampering evidence`,
  );
  report.status = 'processed';
  if (key.accountId !== undefined) report.accountId = key.accountId;
  if (key.region !== undefined) report.region = key.region;
  report.findings = [fileDeletedFinding(key.kind, removed, key.accountId, key.region)];
  report.integrity = { deleted: { kind: key.kind, deleteMarker: removed.deleteMarker, event: removed.event } };
  return report;
}

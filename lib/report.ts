import type { KeyKind } from './cloudtrail/classify';
import type { ObjectRef } from './cloudtrail/types';
import type { Finding, FindingMatches } from './findings';
import type { SuppressionCount } from './rules/exceptions/apply';

export type DeliveryStatus = 'processed' | 'skipped' | 'failed';

/**
 * What happened to one S3 object. Every record read ends in exactly one bucket:
 * forwarded, rejected (by reason), or — when `status` is `failed` — unaccounted for
 * until the object is replayed from the failure destination.
 */
export interface DeliveryReport {
  readonly object: ObjectRef;
  readonly kind: KeyKind;
  status: DeliveryStatus;
  /** Why skipped or failed, or what was processed: always set, for the log line. */
  reason: string;
  accountId?: string;
  region?: string;
  logStream?: string;
  records: {
    read: number;
    forwarded: number;
    rejected: { tooOld: number; tooNew: number; expired: number; tooLarge: number };
    /** Records without a usable eventTime, forwarded with the delivery time instead. */
    timestampFallback: number;
  };
  bytes: { compressed: number; decompressed: number; forwarded: number };
  putLogEventsCalls: number;
  durationMs: number;
  /**
   * From the analysers (rules, anomaly detection); empty unless status is `processed`. At
   * most FINDING_LIMITS (per rule, per delivery): `matched` has the true counts.
   */
  findings: Finding[];
  /** How many findings and events the rules matched, listed in `findings` or not; set when processed. */
  matched?: FindingMatches;
  /** Matches removed by exceptions (lib/rules/exceptions), per exception and rule; set when any were. */
  suppressed?: SuppressionCount[];
  /** Set when status is `failed`: the typed error's reason (e.g. `CorruptGzip`) and message. */
  error?: { reason: string; message: string };
  /** Log file integrity: the file's hash as kept for the digest check, or a digest's verdict. */
  integrity?: IntegrityReport;
}

export interface IntegrityReport {
  /** A log file: hex SHA-256 of its uncompressed bytes. */
  sha256?: string;
  hashStored?: boolean;
  hashStoreError?: string;
  /** A digest file: whether it is valid and what its log files came to. */
  digest?: { valid: boolean; problems: string[]; logFiles: { valid: number; total: number; invalid: Array<{ key: string; status: string }> } };
  /** A deletion event for a CloudTrail file (no object was read). */
  deleted?: { kind: 'log' | 'digest'; deleteMarker: boolean; event: string };
}

export function emptyReport(object: ObjectRef, kind: KeyKind, reason: string): DeliveryReport {
  return {
    object,
    kind,
    status: 'skipped',
    reason,
    records: { read: 0, forwarded: 0, rejected: { tooOld: 0, tooNew: 0, expired: 0, tooLarge: 0 }, timestampFallback: 0 },
    bytes: { compressed: 0, decompressed: 0, forwarded: 0 },
    putLogEventsCalls: 0,
    durationMs: 0,
    findings: [],
  };
}

export function rejectedTotal(report: DeliveryReport): number {
  const r = report.records.rejected;
  return r.tooOld + r.tooNew + r.expired + r.tooLarge;
}

/** Findings the delivery's rules gave, listed in `findings` or over the caps. */
export function findingTotal(report: Pick<DeliveryReport, 'findings' | 'matched'>): number {
  return report.matched?.findings ?? report.findings.length;
}

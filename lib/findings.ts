import type { ObjectRef } from './cloudtrail/types';

export const SEVERITIES = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** Who made the call, as an on-call person reads it. */
export interface Principal {
  readonly type?: string;
  readonly arn?: string;
  readonly userName?: string;
  readonly accountId?: string;
}

/**
 * One thing worth telling someone about, from a rule, a Sigma rule, the anomaly detector or
 * a real CloudTrail Insights event. Every string field comes from an untrusted log record
 * and must be escaped for whatever it is rendered into.
 */
export interface Finding {
  readonly ruleId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly source: 'rule' | 'sigma' | 'anomaly' | 'insight';
  readonly description?: string;
  readonly runbook?: string;
  readonly references?: readonly string[];
  // the (first) record behind it
  readonly eventID?: string;
  readonly eventTime?: string;
  readonly eventName?: string;
  readonly eventSource?: string;
  readonly accountId?: string;
  readonly region?: string;
  readonly principal?: Principal;
  readonly sourceIPAddress?: string;
  readonly userAgent?: string;
  readonly errorCode?: string;
  /** The S3 object the record(s) came from. */
  readonly object: Pick<ObjectRef, 'bucket' | 'key' | 'versionId'>;
  /** Matching records this finding stands for (threshold rules, aggregation); 1 otherwise. */
  readonly count: number;
  /**
   * Identity for de-duplication across deliveries: the same CloudTrail event (eventID)
   * matched by the same rule must alert once, whichever file or delivery carried it.
   */
  readonly dedupKey: string;
  /** Extra, source-specific facts (threshold group, anomaly statistics, Insights context). */
  readonly details?: Readonly<Record<string, unknown>>;
}

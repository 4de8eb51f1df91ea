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
  readonly source: 'rule' | 'sigma' | 'anomaly' | 'insight' | 'integrity';
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

/**
 * How many findings a delivery lists, in one place (README "Limits"). Past these, findings
 * are counted, not listed: a storm (10,000 root sign-ins, one threshold group per source IP,
 * hundreds of Sigma rules over one file) must neither grow memory without bound nor fail the
 * delivery after its records were forwarded. Each listed finding costs one conditional
 * DynamoDB write per alert channel (the alert ledger), so the per-delivery cap also bounds
 * the alerting time: 2 channels × 2,000 writes, 10 in flight.
 */
export const FINDING_LIMITS = {
  /** Findings listed per rule per delivery (the rule's first ones, in file order). */
  perRule: 500,
  /** Findings listed per delivery over every rule and analyser: the most severe kept. */
  perDelivery: 2_000,
} as const;

export interface FindingLimits {
  readonly perRule: number;
  readonly perDelivery: number;
}

/**
 * What one rule matched in one delivery, listed or not. A rule is its id, source and
 * severity together (an anomaly's Start and End share an id but not a severity), as
 * notifications group findings.
 */
export interface RuleTally {
  readonly ruleId: string;
  readonly source: Finding['source'];
  readonly severity: Severity;
  readonly title: string;
  /** Records behind the rule's findings, listed or not (Σ count; threshold: the groups that reached it). */
  readonly events: number;
  /** Findings the rule gave, listed or not. */
  readonly findings: number;
}

export interface RuleMatches extends RuleTally {
  /** Of `findings`, how many the delivery report lists. */
  readonly listed: number;
}

/**
 * The true counts of a delivery's findings, whatever the caps left in `DeliveryReport.findings`.
 * `findings = listed + notListed.perRule + notListed.perDelivery`.
 */
export interface FindingMatches {
  readonly events: number;
  readonly findings: number;
  readonly listed: number;
  readonly notListed: {
    /** Over FINDING_LIMITS.perRule. */
    readonly perRule: number;
    /** Over FINDING_LIMITS.perDelivery, less severe than the ones listed. */
    readonly perDelivery: number;
  };
  /** Every rule that gave a finding: most severe first, then most events, then id and source. */
  readonly rules: readonly RuleMatches[];
}

/** The identity a rule's findings share: id, source and severity. */
export function ruleKeyOf(f: Pick<Finding, 'ruleId' | 'source' | 'severity'>): string {
  return `${f.source}\u0000${f.ruleId}\u0000${f.severity}`;
}

/** A finding always stands for at least one record, whatever a buggy producer says. */
export function eventsOf(finding: Pick<Finding, 'count'>): number {
  return Number.isSafeInteger(finding.count) && finding.count > 0 ? finding.count : 1;
}

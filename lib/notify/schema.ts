import type { Finding, Severity } from '../findings';

/**
 * The JSON message, schema version 1 (documented with an example in README.md). Stable
 * rules: fields are only ever added within a version; a field that is unknown is left out,
 * never `null`; every string comes from `sanitize` (no control characters, capped).
 * Added in 1: `summary.matched`, `findings[].matched`, `omitted.notListed` (true counts
 * past the per-rule and per-delivery finding limits).
 */
export const SCHEMA_VERSION = 1;
export const DOCUMENT_TYPE = 'trailwatch.delivery';

export type SeverityCounts = Partial<Record<Severity, number>>;

/** True counts: what the rules matched, whether or not the delivery lists each finding. */
export interface MatchedCounts {
  readonly events: number;
  readonly findings: number;
}

export interface PrincipalV1 {
  readonly type?: string;
  readonly arn?: string;
  readonly userName?: string;
  readonly accountId?: string;
}

export interface ExampleV1 {
  readonly eventID?: string;
  readonly eventTime?: string;
  readonly eventName?: string;
  readonly eventSource?: string;
  readonly accountId?: string;
  readonly region?: string;
  readonly principal?: PrincipalV1;
  readonly sourceIPAddress?: string;
  readonly userAgent?: string;
  readonly errorCode?: string;
  /** Records this finding stands for (threshold rules); 1 otherwise. */
  readonly count: number;
  readonly details?: unknown;
  readonly links?: { readonly cloudTrailEventHistory?: string };
}

export interface FindingEntryV1 {
  readonly ruleId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly source: Finding['source'];
  readonly description?: string;
  readonly runbook?: string;
  readonly references?: readonly string[];
  /** Findings of this rule the delivery lists (at most FINDING_LIMITS.perRule). */
  readonly findingCount: number;
  /** Records they stand for (Σ count). */
  readonly eventCount: number;
  /** What the rule matched, listed or not: ≥ findingCount and eventCount. */
  readonly matched: MatchedCounts;
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  readonly distinctPrincipals: number;
  readonly distinctSourceIPs: number;
  readonly examples: readonly ExampleV1[];
  /** Findings of this entry not shown as examples. */
  readonly omittedExamples: number;
}

export interface DeliveryV1 {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly kind: string;
  readonly status: string;
  readonly accountId?: string;
  readonly region?: string;
  readonly logGroup: string;
  readonly logStream?: string;
  readonly records: {
    readonly read: number;
    readonly forwarded: number;
    readonly rejected: {
      readonly tooOld: number;
      readonly tooNew: number;
      readonly expired: number;
      readonly tooLarge: number;
      readonly total: number;
    };
    readonly timestampFallback: number;
  };
  readonly error?: { readonly reason: string; readonly message: string };
}

export interface NotificationDocumentV1 {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly type: typeof DOCUMENT_TYPE;
  readonly generatedAt: string;
  /** Over all findings of the delivery at or above the minimum severity, shown or omitted. */
  readonly summary: {
    readonly highestSeverity: Severity | 'NONE';
    /** Findings the delivery lists (at most FINDING_LIMITS), shown in this message or omitted for size. */
    readonly findingCount: number;
    readonly eventCount: number;
    /** What the rules matched, listed or not: the size of a storm. */
    readonly matched: MatchedCounts;
    readonly ruleCount: number;
    readonly bySeverity: SeverityCounts;
  };
  readonly delivery: DeliveryV1;
  /** Most severe first; one entry per rule. */
  readonly findings: readonly FindingEntryV1[];
  /** Always present; all zero unless the message was trimmed to fit or filtered. */
  readonly omitted: {
    /** Findings (and their records and rules) left out to stay under the SNS size limit. */
    readonly findings: number;
    readonly events: number;
    readonly rules: number;
    readonly bySeverity: SeverityCounts;
    /** Findings below `minSeverity`, left out by configuration. */
    readonly belowMinSeverity: number;
    /**
     * Matched but not listed in the delivery, over the per-rule and per-delivery finding
     * limits (or alerted before by an earlier delivery): Σ (matched − listed) over every rule.
     */
    readonly notListed: MatchedCounts;
  };
  readonly links: {
    /** Logs Insights on the delivery's stream and time range: where every record, omitted ones included, is. */
    readonly logsInsights?: string;
    readonly logsInsightsQuery: string;
    readonly timeRange: { readonly start: string; readonly end: string };
  };
}

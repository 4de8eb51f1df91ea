/**
 * One finding shape for both trailwatch's own anomalies and real CloudTrail Insights
 * events, modelled on the Insights record (CloudTrail user guide, "CloudTrail Insights
 * insightDetails element"): insightType, state Start/End, sharedEventID linking the two,
 * insightContext.statistics and attributions. A consumer handles either the same way.
 */
import type { ObjectRef } from '../cloudtrail/types';
import type { Finding, Severity } from '../findings';

export interface AttributionValue {
  readonly value: string;
  /** Occurrences per minute, as CloudTrail reports them. */
  readonly average: number;
}

export interface Attribution {
  readonly attribute: string;
  readonly insight: readonly AttributionValue[];
  readonly baseline: readonly AttributionValue[];
}

export interface InsightStatistics {
  readonly baseline: { readonly average: number };
  readonly insight: { readonly average: number };
  /** Minutes of unusual activity. */
  readonly insightDuration: number;
  /** Minutes of baseline behind the baseline average. */
  readonly baselineDuration: number;
}

export interface InsightEvent {
  readonly source: 'anomaly' | 'insight';
  /** ApiCallRateInsight | ApiErrorRateInsight (a newer type from a real Insights file is kept as is). */
  readonly insightType: string;
  readonly state: 'Start' | 'End';
  readonly sharedEventID: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly accountId?: string;
  readonly region?: string;
  readonly eventTime?: string;
  readonly eventID?: string;
  readonly errorCode?: string;
  readonly statistics: InsightStatistics;
  readonly attributions: readonly Attribution[];
  /** How trailwatch decided (test, p-value, counts); absent for real Insights events. */
  readonly detector?: Readonly<Record<string, unknown>>;
  /** Count the finding stands for (calls or errors in the window, or over the anomaly). */
  readonly count?: number;
  readonly description?: string;
}

export const ANOMALY_RULE_IDS = {
  ApiErrorRateInsight: 'anomaly-api-error-rate',
  ApiCallRateInsight: 'anomaly-api-call-rate',
} as const;

export function insightRuleId(source: 'anomaly' | 'insight', insightType: string): string {
  if (insightType === 'ApiErrorRateInsight') return `${source}-api-error-rate`;
  if (insightType === 'ApiCallRateInsight') return `${source}-api-call-rate`;
  return `${source}-api-activity`;
}

export function insightFinding(event: InsightEvent, object: Pick<ObjectRef, 'bucket' | 'key' | 'versionId'>, severity: Severity): Finding {
  const top = (attribute: string): string | undefined => event.attributions.find((a) => a.attribute === attribute)?.insight[0]?.value;
  const arn = top('userIdentityArn');
  const userAgent = top('userAgent');
  const errorCode = event.errorCode ?? (event.insightType === 'ApiErrorRateInsight' ? top('errorCode') : undefined);
  return {
    ruleId: insightRuleId(event.source, event.insightType),
    title: titleOf(event),
    severity,
    source: event.source,
    ...(event.description === undefined ? {} : { description: event.description }),
    ...(event.eventID === undefined ? {} : { eventID: event.eventID }),
    ...(event.eventTime === undefined ? {} : { eventTime: event.eventTime }),
    eventName: event.eventName,
    eventSource: event.eventSource,
    ...(event.accountId === undefined ? {} : { accountId: event.accountId }),
    ...(event.region === undefined ? {} : { region: event.region }),
    ...(arn === undefined || arn.startsWith('(') ? {} : { principal: { arn } }),
    ...(userAgent === undefined ? {} : { userAgent }),
    ...(errorCode === undefined ? {} : { errorCode }),
    object: { bucket: object.bucket, key: object.key, ...(object.versionId === undefined ? {} : { versionId: object.versionId }) },
    count: event.count ?? 1,
    dedupKey: `${event.source}:${event.sharedEventID}:${event.state}`,
    details: {
      insightType: event.insightType,
      state: event.state,
      sharedEventID: event.sharedEventID,
      ...(errorCode === undefined ? {} : { errorCode }),
      insightContext: { statistics: event.statistics, attributions: event.attributions },
      ...(event.detector === undefined ? {} : { detector: event.detector }),
    },
  };
}

function titleOf(event: InsightEvent): string {
  const prefix = event.source === 'insight' ? 'CloudTrail Insights: ' : '';
  const what = event.insightType === 'ApiErrorRateInsight' ? 'error rate' : event.insightType === 'ApiCallRateInsight' ? 'call rate' : 'API activity';
  const unit = event.insightType === 'ApiErrorRateInsight' ? 'errors' : 'calls';
  const api = `${event.eventSource} ${event.eventName}`;
  const s = event.statistics;
  if (event.state === 'End') {
    return `${prefix}${capitalise(what)} back to baseline: ${api} after ${formatNumber(s.insightDuration)} min`;
  }
  return `${prefix}Unusual ${what}: ${api} at ${formatNumber(s.insight.average)} ${unit}/min (baseline ${formatNumber(s.baseline.average)}/min)`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Two significant digits below 10, whole numbers above: a title, not a report. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 10) return String(Math.round(x));
  if (x === 0) return '0';
  return String(Number(x.toPrecision(2)));
}

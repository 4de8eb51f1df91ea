/**
 * Real CloudTrail Insights events (files under `CloudTrail-Insight/`, records with
 * `eventType: AwsCloudTrailInsight`) become findings of the same shape as trailwatch's own
 * anomalies, `source: 'insight'`. Insights records carry no top-level eventName or
 * userIdentity: everything comes from `insightDetails` (CloudTrail user guide, "CloudTrail
 * Insights insightDetails element"). Fields are untrusted and may be missing: a record
 * without a state or API is skipped and counted, never an exception.
 */
import type { KeyClass } from '../cloudtrail/classify';
import type { CloudTrailRecord, ObjectRef, TrailRecord } from '../cloudtrail/types';
import { RuleTallies } from '../delivery-findings';
import { FINDING_LIMITS, type Finding, type RuleTally, type Severity } from '../findings';
import type { Analyser } from '../pipeline';
import { type Attribution, type AttributionValue, type InsightEvent, insightFinding } from './insight-finding';

export interface InsightAnalyserOptions {
  readonly severity?: Severity;
  readonly endSeverity?: Severity;
  /**
   * Findings listed per rule (id and severity) per file; the rest are counted (`tallies()`).
   * An Insights file holds a handful of events; a crafted one must not fill memory.
   */
  readonly maxFindings?: number;
}

export interface InsightAnalyser extends Analyser {
  /** Insights records that could not be turned into a finding (no state, API or id). */
  readonly skipped: number;
  tallies(): RuleTally[];
}

const MAX_ATTRIBUTION_VALUES = 10;
const MAX_TEXT = 512;

export function insightAnalyser(ref: ObjectRef, key?: KeyClass, options: InsightAnalyserOptions = {}): InsightAnalyser {
  const severity = options.severity ?? 'MEDIUM';
  const endSeverity = options.endSeverity ?? 'INFO';
  const max = options.maxFindings ?? FINDING_LIMITS.perRule;
  const findings: Finding[] = [];
  const tallies = new RuleTallies();
  let skipped = 0;
  return {
    observe(records: readonly TrailRecord[]): void {
      for (const { record } of records) {
        if (record.eventType !== 'AwsCloudTrailInsight') continue;
        const event = insightEventOf(record, key);
        if (event === undefined) {
          skipped++;
          continue;
        }
        const finding = insightFinding(event, ref, event.state === 'Start' ? severity : endSeverity);
        if (tallies.count(finding) <= max) findings.push(finding);
      }
    },
    finish(): Finding[] {
      return findings;
    },
    tallies(): RuleTally[] {
      return tallies.list();
    },
    get skipped() {
      return skipped;
    },
  };
}

/** The common shape of one Insights record, or undefined when it lacks what a finding needs. */
export function insightEventOf(record: CloudTrailRecord, key?: KeyClass): InsightEvent | undefined {
  const details = asObject(record.insightDetails);
  if (details === undefined) return undefined;
  const state = details.state;
  const eventSource = text(details.eventSource);
  const eventName = text(details.eventName);
  const sharedEventID = text(record.sharedEventID) ?? text(record.eventID);
  if ((state !== 'Start' && state !== 'End') || eventSource === undefined || eventName === undefined || sharedEventID === undefined) {
    return undefined;
  }
  const context = asObject(details.insightContext);
  const statistics = asObject(context?.statistics);
  const accountId = text(record.recipientAccountId) ?? key?.accountId;
  const region = text(record.awsRegion) ?? key?.region;
  const eventTime = text(record.eventTime);
  const eventID = text(record.eventID);
  const errorCode = text(details.errorCode);
  return {
    source: 'insight',
    insightType: text(details.insightType) ?? 'unknown',
    state,
    sharedEventID,
    eventSource,
    eventName,
    ...(accountId === undefined ? {} : { accountId }),
    ...(region === undefined ? {} : { region }),
    ...(eventTime === undefined ? {} : { eventTime }),
    ...(eventID === undefined ? {} : { eventID }),
    ...(errorCode === undefined ? {} : { errorCode }),
    statistics: {
      baseline: { average: num(asObject(statistics?.baseline)?.average) },
      insight: { average: num(asObject(statistics?.insight)?.average) },
      insightDuration: num(statistics?.insightDuration),
      baselineDuration: num(statistics?.baselineDuration),
    },
    attributions: attributionsOf(context?.attributions),
    count: 1,
  };
}

function attributionsOf(value: unknown): Attribution[] {
  if (!Array.isArray(value)) return [];
  const out: Attribution[] = [];
  for (const item of value.slice(0, MAX_ATTRIBUTION_VALUES)) {
    const a = asObject(item);
    const attribute = text(a?.attribute);
    if (a === undefined || attribute === undefined) continue;
    out.push({ attribute, insight: valuesOf(a.insight), baseline: valuesOf(a.baseline) });
  }
  return out;
}

function valuesOf(value: unknown): AttributionValue[] {
  if (!Array.isArray(value)) return [];
  const out: AttributionValue[] = [];
  for (const item of value.slice(0, MAX_ATTRIBUTION_VALUES)) {
    const v = asObject(item);
    const name = typeof v?.value === 'string' ? v.value : v?.value === null ? 'null' : undefined;
    if (v === undefined || name === undefined) continue;
    out.push({ value: cut(name), average: num(v.average) });
  }
  return out;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? cut(value) : undefined;
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function cut(value: string): string {
  return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
}

import { severityRank, type Finding } from '../findings';
import type { DeliveryReport } from '../report';
import type { FindingGroup } from './aggregate';
import type { MessageAttribute, NotificationFormat } from './notification';
import { sanitize } from './sanitize';
import { SCHEMA_VERSION } from './schema';

/**
 * The message attributes subscription filter policies match on. Ten of them: SQS
 * subscriptions with raw message delivery drop a message with more than 10.
 * Names follow SNS's rules ([A-Za-z0-9_.-], no `AWS.`/`Amazon.` prefix).
 */
export const ATTRIBUTE = {
  /** Highest severity in the message: `CRITICAL` … `INFO`, or `NONE` (String). */
  severity: 'severity',
  /** The same as a number, INFO 0 … CRITICAL 4, NONE -1, for `{"numeric": [">=", 3]}` (Number). */
  severityRank: 'severityRank',
  /** Distinct rule ids, most severe first, at most MAX_RULE_IDS (String.Array). */
  ruleIds: 'ruleIds',
  accountId: 'accountId',
  region: 'region',
  /**
   * Findings the delivery lists at or above the minimum severity, shown or omitted for size
   * (Number): at most FINDING_LIMITS; `matchedEvents` has the true size.
   */
  findingCount: 'findingCount',
  /** Events the rules matched at or above the minimum severity, listed or not (Number). */
  matchedEvents: 'matchedEvents',
  schemaVersion: 'schemaVersion',
  /** Distinct finding sources: rule, sigma, anomaly, insight (String.Array). */
  sources: 'sources',
  /** `json` or `text`: lets one topic carry both renderings, each subscription filtering on one. */
  format: 'format',
} as const;

/** Bounds the String.Array so the attributes stay small next to the message. */
export const MAX_RULE_IDS = 50;
const MAX_RULE_IDS_BYTES = 4096;

export function buildAttributes(
  report: DeliveryReport,
  groups: readonly FindingGroup[],
  format: NotificationFormat,
): Record<string, MessageAttribute> {
  const top = groups[0];
  const attributes: Record<string, MessageAttribute> = {
    [ATTRIBUTE.severity]: { DataType: 'String', StringValue: top?.severity ?? 'NONE' },
    [ATTRIBUTE.severityRank]: { DataType: 'Number', StringValue: String(top ? severityRank(top.severity) : -1) },
    [ATTRIBUTE.findingCount]: {
      DataType: 'Number',
      StringValue: String(groups.reduce((sum, group) => sum + group.findings.length, 0)),
    },
    [ATTRIBUTE.matchedEvents]: {
      DataType: 'Number',
      StringValue: String(groups.reduce((sum, group) => sum + group.matched.events, 0)),
    },
    [ATTRIBUTE.schemaVersion]: { DataType: 'Number', StringValue: String(SCHEMA_VERSION) },
    [ATTRIBUTE.format]: { DataType: 'String', StringValue: format },
  };
  const ruleIds = boundedList(unique(groups.map((group) => sanitize(group.ruleId, 128))));
  if (ruleIds.length > 0) attributes[ATTRIBUTE.ruleIds] = { DataType: 'String.Array', StringValue: JSON.stringify(ruleIds) };
  const sources = unique(groups.map((group) => group.source as Finding['source']));
  if (sources.length > 0) attributes[ATTRIBUTE.sources] = { DataType: 'String.Array', StringValue: JSON.stringify(sources) };
  // SNS rejects empty attribute values: an unknown account or region is left out.
  const accountId = sanitize(report.accountId ?? '', 64);
  if (accountId !== '') attributes[ATTRIBUTE.accountId] = { DataType: 'String', StringValue: accountId };
  const region = sanitize(report.region ?? '', 64);
  if (region !== '') attributes[ATTRIBUTE.region] = { DataType: 'String', StringValue: region };
  return attributes;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** The first ids that fit MAX_RULE_IDS and MAX_RULE_IDS_BYTES as a JSON array. */
function boundedList(ids: readonly string[]): string[] {
  const kept: string[] = [];
  let bytes = 2;
  for (const id of ids) {
    if (kept.length >= MAX_RULE_IDS) break;
    const cost = Buffer.byteLength(JSON.stringify(id)) + 1;
    if (bytes + cost > MAX_RULE_IDS_BYTES) break;
    kept.push(id);
    bytes += cost;
  }
  return kept;
}

import { SEVERITIES, type Finding, type Severity } from '../findings';
import { rejectedTotal, type DeliveryReport } from '../report';
import { eventsOf, type FindingGroup } from './aggregate';
import { cloudTrailEventUrl, insightsQuery, logsInsightsUrl } from './links';
import { MAX_FIELD_CHARS, sanitize, sanitizeJsonValue, sanitizeProse } from './sanitize';
import {
  DOCUMENT_TYPE,
  SCHEMA_VERSION,
  type DeliveryV1,
  type ExampleV1,
  type FindingEntryV1,
  type NotificationDocumentV1,
  type SeverityCounts,
} from './schema';

const MINUTE_MS = 60_000;
/** Around the findings' event times, so the query also shows the records just before and after. */
const QUERY_PADDING_MS = 5 * MINUTE_MS;
/** Without event times: the hour before the notification. */
const DEFAULT_QUERY_SPAN_MS = 60 * MINUTE_MS;
const MAX_REFERENCES = 5;

/** Everything of a document that does not depend on how much is trimmed, sanitised once. */
export interface PreparedDocument {
  readonly base: Omit<NotificationDocumentV1, 'findings' | 'omitted'>;
  /** One entry per group, in group order, with every example prepared. */
  readonly entries: readonly FindingEntryV1[];
  readonly belowMinSeverity: number;
}

export interface DocumentContext {
  readonly logGroup: string;
  readonly consoleRegion?: string;
  readonly now: Date;
  readonly belowMinSeverity: number;
}

export function prepareDocument(
  report: DeliveryReport,
  groups: readonly FindingGroup[],
  context: DocumentContext,
): PreparedDocument {
  const findings = groups.flatMap((group) => group.findings);
  const range = timeRange(findings, report, context.now);
  // Our own query text: its one value from outside, the stream name, is sanitised first.
  const query = insightsQuery(report.logStream === undefined ? undefined : sanitize(report.logStream));
  const logsInsights = logsInsightsUrl({
    region: context.consoleRegion ?? report.region,
    logGroup: context.logGroup,
    query,
    start: range.start,
    end: range.end,
  });
  const bySeverity = countBySeverity(groups);
  return {
    base: {
      schemaVersion: SCHEMA_VERSION,
      type: DOCUMENT_TYPE,
      generatedAt: context.now.toISOString(),
      summary: {
        highestSeverity: groups[0]?.severity ?? 'NONE',
        findingCount: findings.length,
        eventCount: groups.reduce((sum, group) => sum + group.events, 0),
        matched: {
          events: groups.reduce((sum, group) => sum + group.matched.events, 0),
          findings: groups.reduce((sum, group) => sum + group.matched.findings, 0),
        },
        ruleCount: groups.length,
        bySeverity,
      },
      delivery: deliveryOf(report, context.logGroup),
      links: {
        ...(logsInsights ? { logsInsights } : {}),
        logsInsightsQuery: query,
        timeRange: { start: range.start.toISOString(), end: range.end.toISOString() },
      },
    },
    entries: groups.map(entryOf),
    belowMinSeverity: context.belowMinSeverity,
  };
}

/** How much of the prepared document a message shows. */
export interface DocumentShape {
  /** Entries shown, most severe first; the rest are counted in `omitted`. */
  readonly keep: number;
  /** The first `rich` shown entries keep all their examples… */
  readonly rich: number;
  /** …the others show at most this many. */
  readonly examples: number;
}

/** The document with the entries and examples `shape` asks for; what is left out is counted. */
export function assembleDocument(prepared: PreparedDocument, shape: DocumentShape): NotificationDocumentV1 {
  const keepEntries = shape.keep;
  const kept = prepared.entries.slice(0, keepEntries).map((entry, index) => {
    const examples = index < shape.rich ? entry.examples : entry.examples.slice(0, shape.examples);
    return { ...entry, examples, omittedExamples: entry.findingCount - examples.length };
  });
  const dropped = prepared.entries.slice(keepEntries);
  const bySeverity: SeverityCounts = {};
  for (const entry of dropped) bySeverity[entry.severity] = (bySeverity[entry.severity] ?? 0) + entry.findingCount;
  const { links, ...head } = prepared.base;
  return {
    ...head,
    findings: kept,
    omitted: {
      findings: dropped.reduce((sum, entry) => sum + entry.findingCount, 0),
      events: dropped.reduce((sum, entry) => sum + entry.eventCount, 0),
      rules: dropped.length,
      bySeverity: orderedCounts(bySeverity),
      belowMinSeverity: prepared.belowMinSeverity,
      // over every entry, shown or not: what the finding limits kept out of the delivery itself
      notListed: {
        findings: prepared.entries.reduce((sum, entry) => sum + entry.matched.findings - entry.findingCount, 0),
        events: prepared.entries.reduce((sum, entry) => sum + entry.matched.events - entry.eventCount, 0),
      },
    },
    links,
  };
}

function entryOf(group: FindingGroup): FindingEntryV1 {
  // none when the per-delivery cap left this rule no listed finding: the group has its counts only
  const first: Finding | undefined = group.findings[0];
  const references = (first?.references ?? []).slice(0, MAX_REFERENCES).map((ref) => sanitize(ref));
  return {
    ruleId: sanitize(group.ruleId, 128),
    title: sanitize(group.title, 256),
    severity: group.severity,
    source: group.source,
    ...optional('description', first?.description === undefined ? undefined : sanitizeProse(first.description, 1024)),
    ...optional('runbook', first?.runbook === undefined ? undefined : sanitizeProse(first.runbook, 1024)),
    ...(references.length > 0 ? { references } : {}),
    findingCount: group.findings.length,
    eventCount: group.events,
    matched: { events: group.matched.events, findings: group.matched.findings },
    ...optional('firstSeen', group.firstSeen === undefined ? undefined : sanitize(group.firstSeen, 64)),
    ...optional('lastSeen', group.lastSeen === undefined ? undefined : sanitize(group.lastSeen, 64)),
    distinctPrincipals: group.distinctPrincipals,
    distinctSourceIPs: group.distinctSourceIPs,
    examples: group.examples.map(exampleOf),
    omittedExamples: group.findings.length - group.examples.length,
  };
}

/** Caps (UTF-16 units) of an example's fields; a user agent or ARN gets the full MAX_FIELD_CHARS. */
export const EXAMPLE_FIELD_CHARS = {
  eventID: 128,
  eventTime: 64,
  eventName: 256,
  eventSource: 256,
  accountId: 64,
  region: 64,
  sourceIPAddress: 256,
  userAgent: MAX_FIELD_CHARS,
  errorCode: 256,
} as const;
export const PRINCIPAL_FIELD_CHARS = { type: 64, arn: MAX_FIELD_CHARS, userName: 256, accountId: 64 } as const;

function exampleOf(finding: Finding): ExampleV1 {
  const p = finding.principal;
  const principal = p
    ? Object.fromEntries(
        (Object.keys(PRINCIPAL_FIELD_CHARS) as Array<keyof typeof PRINCIPAL_FIELD_CHARS>)
          .map((name) => [name, field(p[name], PRINCIPAL_FIELD_CHARS[name])] as const)
          .filter(([, value]) => value !== undefined),
      )
    : undefined;
  const eventHistory = cloudTrailEventUrl(finding.region, finding.eventID);
  const facts = Object.fromEntries(
    (Object.keys(EXAMPLE_FIELD_CHARS) as Array<keyof typeof EXAMPLE_FIELD_CHARS>)
      .map((name) => [name, field(finding[name], EXAMPLE_FIELD_CHARS[name])] as const)
      .filter(([, value]) => value !== undefined),
  );
  const { sourceIPAddress, userAgent, errorCode, ...event } = facts;
  return {
    ...event,
    ...(principal && Object.keys(principal).length > 0 ? { principal } : {}),
    ...optional('sourceIPAddress', sourceIPAddress),
    ...optional('userAgent', userAgent),
    ...optional('errorCode', errorCode),
    count: eventsOf(finding),
    ...(finding.details !== undefined ? { details: boundedDetails(finding.details) } : {}),
    ...(eventHistory ? { links: { cloudTrailEventHistory: eventHistory } } : {}),
  };
}

function deliveryOf(report: DeliveryReport, logGroup: string): DeliveryV1 {
  const r = report.records.rejected;
  return {
    bucket: sanitize(report.object.bucket, 256),
    key: sanitize(report.object.key, 1024),
    ...optional('versionId', field(report.object.versionId, 1024)),
    kind: sanitize(report.kind, 64),
    status: sanitize(report.status, 64),
    ...optional('accountId', field(report.accountId, 64)),
    ...optional('region', field(report.region, 64)),
    logGroup: sanitize(logGroup),
    ...optional('logStream', field(report.logStream)),
    records: {
      read: report.records.read,
      forwarded: report.records.forwarded,
      rejected: { tooOld: r.tooOld, tooNew: r.tooNew, expired: r.expired, tooLarge: r.tooLarge, total: rejectedTotal(report) },
      timestampFallback: report.records.timestampFallback,
    },
    ...(report.error
      ? { error: { reason: sanitize(report.error.reason, 128), message: sanitize(report.error.message) } }
      : {}),
  };
}

/** Details are free-form: bounded as a whole so one record cannot fill the message. */
function boundedDetails(details: unknown): unknown {
  const MAX_DETAILS_CHARS = 2048;
  const value = sanitizeJsonValue(details);
  const json = JSON.stringify(value) ?? 'null';
  return json.length <= MAX_DETAILS_CHARS ? value : { truncated: sanitize(json, MAX_DETAILS_CHARS - 64) };
}

/** A present, non-empty untrusted string, sanitised; undefined otherwise. */
function field(value: unknown, maxChars?: number): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return sanitize(value, maxChars);
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function countBySeverity(groups: readonly FindingGroup[]): SeverityCounts {
  const counts: SeverityCounts = {};
  for (const group of groups) counts[group.severity] = (counts[group.severity] ?? 0) + group.findings.length;
  return orderedCounts(counts);
}

/** Most severe first, so the JSON reads in the same order as the findings. */
function orderedCounts(counts: SeverityCounts): SeverityCounts {
  const ordered: SeverityCounts = {};
  for (const severity of [...SEVERITIES].reverse() as Severity[]) {
    const n = counts[severity];
    if (n !== undefined && n > 0) ordered[severity] = n;
  }
  return ordered;
}

function timeRange(findings: readonly Finding[], report: DeliveryReport, now: Date): { start: Date; end: Date } {
  const times = findings
    .map((finding) => (typeof finding.eventTime === 'string' ? Date.parse(finding.eventTime) : Number.NaN))
    .filter((ms) => Number.isFinite(ms));
  let start: number;
  let end: number;
  if (times.length === 0) {
    start = now.getTime() - DEFAULT_QUERY_SPAN_MS;
    end = now.getTime() + QUERY_PADDING_MS;
  } else {
    // a loop, not Math.min(...times): a delivery can have more findings than a call has arguments
    start = times.reduce((a, b) => Math.min(a, b)) - QUERY_PADDING_MS;
    end = times.reduce((a, b) => Math.max(a, b)) + QUERY_PADDING_MS;
    // Records without a usable eventTime were forwarded with the delivery time.
    if (report.records.timestampFallback > 0) end = Math.max(end, now.getTime() + QUERY_PADDING_MS);
  }
  // Whole minutes read better in the console and keep the link stable.
  return { start: clampDate(Math.floor(start / MINUTE_MS) * MINUTE_MS), end: clampDate(Math.ceil(end / MINUTE_MS) * MINUTE_MS) };
}

/** Crafted eventTimes can be anything Date.parse accepts: keep the range a valid Date. */
function clampDate(ms: number): Date {
  const LIMIT = 8.64e15;
  return new Date(Math.max(-LIMIT, Math.min(LIMIT, ms)));
}

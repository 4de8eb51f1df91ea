import { z } from 'zod';
import { SEVERITIES, type Finding } from '../findings';
import { cloudTrailEventUrl } from '../notify/links';
import { sanitize, sanitizeJsonValue, sanitizeProse } from '../notify/sanitize';
import { asffId } from './asff';
import { techniques } from './mitre';

/**
 * The EventBridge event trailwatch puts, one per finding: `source` and `detail-type` are
 * fixed, `detail` is this schema (schemas/eventbridge-detail.schema.json is generated from
 * it). Versioned like the SNS document: fields are only added within a version.
 */
export const EVENT_SOURCE = 'trailwatch';
export const EVENT_DETAIL_TYPE = 'Trailwatch Finding';
export const EVENT_DETAIL_VERSION = 1;

const text = z.string();
export const EventDetailSchema = z
  .object({
    schemaVersion: z.literal(EVENT_DETAIL_VERSION),
    type: z.literal('trailwatch.finding'),
    /** The same stable id as the Security Hub finding's `Id`: one event and one finding per rule and event. */
    id: text,
    ruleId: text,
    title: text,
    severity: z.enum(SEVERITIES),
    source: z.enum(['rule', 'sigma', 'anomaly', 'insight', 'integrity']),
    description: text.optional(),
    runbook: text.optional(),
    references: z.array(text).optional(),
    /** MITRE ATT&CK technique ids from the references (`T1562.008`). */
    techniques: z.array(text).optional(),
    eventID: text.optional(),
    eventTime: text.optional(),
    eventName: text.optional(),
    eventSource: text.optional(),
    accountId: text.optional(),
    region: text.optional(),
    principal: z
      .object({ type: text.optional(), arn: text.optional(), userName: text.optional(), accountId: text.optional() })
      .optional(),
    sourceIPAddress: text.optional(),
    userAgent: text.optional(),
    errorCode: text.optional(),
    /** Records this finding stands for (threshold rules); 1 otherwise. */
    count: z.number().int().min(1),
    details: z.unknown().optional(),
    object: z.object({ bucket: text, key: text, versionId: text.optional() }),
    links: z.object({ cloudTrailEventHistory: text.optional() }).optional(),
  })
  .strict();

export type EventDetail = z.infer<typeof EventDetailSchema>;

/** The detail of one finding's event; every string from the log is sanitised (no control or bidi characters, capped). */
export function eventDetail(finding: Finding): EventDetail {
  const url = cloudTrailEventUrl(finding.region, finding.eventID);
  const opt = (value: string | undefined, max = 512) => (value === undefined ? undefined : sanitize(value, max));
  const principal = finding.principal
    ? dropUndefined({
        type: opt(finding.principal.type, 64),
        arn: opt(finding.principal.arn),
        userName: opt(finding.principal.userName, 256),
        accountId: opt(finding.principal.accountId, 64),
      })
    : undefined;
  const found = techniques(finding.references ?? []);
  return dropUndefined({
    schemaVersion: EVENT_DETAIL_VERSION,
    type: 'trailwatch.finding',
    id: asffId(finding),
    ruleId: sanitize(finding.ruleId, 256),
    title: sanitize(finding.title, 512),
    severity: finding.severity,
    source: finding.source,
    description: finding.description === undefined ? undefined : sanitizeProse(finding.description, 2048),
    runbook: finding.runbook === undefined ? undefined : sanitizeProse(finding.runbook, 2048),
    references: finding.references?.map((r) => sanitize(r, 256)),
    techniques: found.length > 0 ? found : undefined,
    eventID: opt(finding.eventID, 128),
    eventTime: opt(finding.eventTime, 64),
    eventName: opt(finding.eventName, 128),
    eventSource: opt(finding.eventSource, 128),
    accountId: opt(finding.accountId, 64),
    region: opt(finding.region, 64),
    principal,
    sourceIPAddress: opt(finding.sourceIPAddress, 128),
    userAgent: opt(finding.userAgent),
    errorCode: opt(finding.errorCode, 128),
    count: Math.max(1, Math.floor(finding.count || 1)),
    details: finding.details === undefined ? undefined : sanitizeJsonValue(finding.details),
    object: dropUndefined({ bucket: finding.object.bucket, key: sanitize(finding.object.key, 1024), versionId: opt(finding.object.versionId, 1024) }),
    links: url ? { cloudTrailEventHistory: url } : undefined,
  }) as EventDetail;
}

function dropUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** One PutEvents entry, as the adapter sends it. */
export interface EventEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly EventBusName: string;
  readonly Time?: Date;
}

/** PutEvents: at most 10 entries per call and 256 KB per entry (and per call, counted as the user guide says). */
export const PUT_EVENTS_LIMITS = { maxEntries: 10, maxBytes: 256 * 1024 } as const;

/** The size EventBridge counts: Time 14 bytes, Source, DetailType and Detail in UTF-8. */
export function entryBytes(entry: EventEntry): number {
  return (entry.Time ? 14 : 0) + Buffer.byteLength(entry.Source) + Buffer.byteLength(entry.DetailType) + Buffer.byteLength(entry.Detail);
}

/**
 * The entry for one finding on `bus`. Every field is bounded (strings capped, details at
 * most 2 KB), so an entry stays far below 256 KB; should one not, its details and user
 * agent are dropped rather than the event.
 */
export function eventEntry(finding: Finding, bus: string): EventEntry {
  const detail = eventDetail(finding);
  const time = finding.eventTime ? new Date(finding.eventTime) : undefined;
  let entry: EventEntry = {
    Source: EVENT_SOURCE,
    DetailType: EVENT_DETAIL_TYPE,
    Detail: JSON.stringify(detail),
    EventBusName: bus,
    ...(time && !Number.isNaN(time.getTime()) ? { Time: time } : {}),
  };
  if (entryBytes(entry) > PUT_EVENTS_LIMITS.maxBytes) {
    const { details: _d, userAgent: _u, ...rest } = detail;
    entry = { ...entry, Detail: JSON.stringify(rest) };
  }
  return entry;
}

import { z } from 'zod';
import { SEVERITIES } from '../findings';
import { DOCUMENT_TYPE, SCHEMA_VERSION, type NotificationDocumentV1 } from './schema';

/**
 * The findings document (the JSON message, schema version 1) as a zod schema, from which
 * schemas/findings-document.schema.json is generated. The TypeScript interfaces in schema.ts
 * stay the builder's types; the assignment at the end fails to compile if the two disagree.
 */
const count = z.number().int().min(0);
const severityCounts = z.partialRecord(z.enum(SEVERITIES), count);
const matched = z.strictObject({ events: count, findings: count });
const principal = z.strictObject({ type: z.string().optional(), arn: z.string().optional(), userName: z.string().optional(), accountId: z.string().optional() });

const example = z.strictObject({
  eventID: z.string().optional(),
  eventTime: z.string().optional(),
  eventName: z.string().optional(),
  eventSource: z.string().optional(),
  accountId: z.string().optional(),
  region: z.string().optional(),
  principal: principal.optional(),
  sourceIPAddress: z.string().optional(),
  userAgent: z.string().optional(),
  errorCode: z.string().optional(),
  count: z.number().int().min(1),
  details: z.unknown().optional(),
  links: z.strictObject({ cloudTrailEventHistory: z.string().optional() }).optional(),
});

const entry = z.strictObject({
  ruleId: z.string(),
  title: z.string(),
  severity: z.enum(SEVERITIES),
  source: z.enum(['rule', 'sigma', 'anomaly', 'insight', 'integrity']),
  description: z.string().optional(),
  runbook: z.string().optional(),
  references: z.array(z.string()).readonly().optional(),
  findingCount: count,
  eventCount: count,
  matched,
  firstSeen: z.string().optional(),
  lastSeen: z.string().optional(),
  distinctPrincipals: count,
  distinctSourceIPs: count,
  examples: z.array(example).readonly(),
  omittedExamples: count,
});

export const NotificationDocumentSchema = z.strictObject({
  schemaVersion: z.literal(SCHEMA_VERSION),
  type: z.literal(DOCUMENT_TYPE),
  generatedAt: z.string(),
  summary: z.strictObject({
    highestSeverity: z.enum([...SEVERITIES, 'NONE']),
    findingCount: count,
    eventCount: count,
    matched,
    ruleCount: count,
    bySeverity: severityCounts,
  }),
  delivery: z.strictObject({
    bucket: z.string(),
    key: z.string(),
    versionId: z.string().optional(),
    kind: z.string(),
    status: z.string(),
    accountId: z.string().optional(),
    region: z.string().optional(),
    logGroup: z.string(),
    logStream: z.string().optional(),
    records: z.strictObject({
      read: count,
      forwarded: count,
      rejected: z.strictObject({ tooOld: count, tooNew: count, expired: count, tooLarge: count, total: count }),
      timestampFallback: count,
    }),
    error: z.strictObject({ reason: z.string(), message: z.string() }).optional(),
  }),
  findings: z.array(entry).readonly(),
  omitted: z.strictObject({
    findings: count,
    events: count,
    rules: count,
    bySeverity: severityCounts,
    belowMinSeverity: count,
    notListed: matched,
  }),
  links: z.strictObject({
    logsInsights: z.string().optional(),
    logsInsightsQuery: z.string(),
    timeRange: z.strictObject({ start: z.string(), end: z.string() }),
  }),
});

// compile-time: every value the schema accepts is a NotificationDocumentV1, and back
export const documentSchemaMatchesTypes: [z.infer<typeof NotificationDocumentSchema>, NotificationDocumentV1] extends [NotificationDocumentV1, z.infer<typeof NotificationDocumentSchema>]
  ? true
  : never = true;

import { z } from 'zod';
import { DEFAULT_MAX_DECOMPRESSED_BYTES } from './cloudtrail/gunzip';
import { SEVERITIES } from './findings';

/**
 * The function's configuration, from environment variables set by serverless.yml. Parsed
 * once per container; a bad value fails the cold start with the variable's name.
 */
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;

const ConfigSchema = z.object({
  LOG_GROUP_NAME: z.string().regex(/^[.\-_/#A-Za-z0-9]{1,512}$/, 'a CloudWatch Logs group name'),
  MAX_DECOMPRESSED_BYTES: z.coerce.number().int().positive().default(DEFAULT_MAX_DECOMPRESSED_BYTES),
  PUT_LOG_EVENTS_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(32).default(4),
  /** The people topic (text): an ARN, or a name in the function's own account and region. */
  ALERT_TOPIC_ARN: optionalString(z.string().startsWith('arn:')),
  ALERT_TOPIC_NAME: optionalString(z.string().regex(TOPIC_NAME, 'an SNS topic name')),
  /** The machines topic (JSON): likewise. Neither set: no such channel. */
  FINDINGS_TOPIC_ARN: optionalString(z.string().startsWith('arn:')),
  FINDINGS_TOPIC_NAME: optionalString(z.string().regex(TOPIC_NAME, 'an SNS topic name')),
  /** The chat topic (Amazon Q Developer custom notifications): used only when CHAT_ENABLED is true. */
  CHAT_TOPIC_ARN: optionalString(z.string().startsWith('arn:')),
  CHAT_TOPIC_NAME: optionalString(z.string().regex(TOPIC_NAME, 'an SNS topic name')),
  CHAT_ENABLED: z
    .enum(['true', 'false', ''])
    .default('false')
    .transform((v) => v === 'true'),
  /** Import findings into Security Hub (the account's default product, the function's Region). */
  SECURITY_HUB_ENABLED: z
    .enum(['true', 'false', ''])
    .default('false')
    .transform((v) => v === 'true'),
  /** Put one event per finding on this EventBridge bus (a name, `default`, or an ARN); unset: no such output. */
  EVENT_BUS_NAME: optionalString(z.string().regex(/^(arn:[a-z-]+:events:[a-z0-9-]+:\d{12}:event-bus\/)?[/.\-_A-Za-z0-9]{1,256}$/, 'an EventBridge bus name or ARN')),
  /** Object idempotency and alert claims; unset: no de-duplication (local tools only). */
  DEDUP_TABLE_NAME: optionalString(z.string().regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'a DynamoDB table name')),
  /** Users' rule files under an S3 prefix, read at cold start. */
  RULES_S3_BUCKET: optionalString(z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')),
  RULES_S3_PREFIX: z.string().default(''),
  /** The anomaly baseline table; unset: no Insights-like signal (real Insights files still alert). */
  ANOMALY_TABLE_NAME: optionalString(z.string().regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'a DynamoDB table name')),
  NOTIFY_ALWAYS: z
    .enum(['true', 'false', ''])
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * `off`: process without alerting (a local run or a replay with no topic). Findings are
   * then left pending, never recorded as alerted, and a later run with topics sends them.
   * Without it, a configured topic that cannot be reached is a configuration error.
   */
  TRAILWATCH_ALERTS: z
    .enum(['on', 'off', ''])
    .default('on')
    .transform((v) => v !== 'off'),
  /**
   * Log file integrity: `on` checks each CloudTrail digest file as it arrives (needs
   * cloudtrail:ListPublicKeys); `off` skips digests as before.
   */
  LOG_INTEGRITY: z
    .enum(['on', 'off', ''])
    .default('on')
    .transform((v) => v !== 'off'),
  /** Hashes of forwarded log files for the digest check; unset: the check reads each listed file again. */
  INTEGRITY_TABLE_NAME: optionalString(z.string().regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'a DynamoDB table name')),
  /** Findings below this severity are left out of notifications (counted as omitted). */
  NOTIFY_MIN_SEVERITY: optionalString(z.enum(SEVERITIES)),
});

/** An optional variable: unset and '' both mean "not configured" (serverless.yml writes ''). */
function optionalString<T extends z.ZodType<string>>(schema: T) {
  return z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
}

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`trailwatch configuration is invalid: ${problems}`);
  }
  return parsed.data;
}

/**
 * A topic's ARN: the explicit one, or the name completed with the partition, region and
 * account of the running function (from its own ARN, as Lambda passes it in the context).
 */
export function topicArn(arn: string | undefined, name: string | undefined, invokedFunctionArn: string | undefined): string | undefined {
  if (arn) return arn;
  if (!name) return undefined;
  const parts = (invokedFunctionArn ?? '').split(':');
  const [, partition, , region, account] = parts;
  if (parts.length < 7 || !partition || !region || !account) {
    throw new ConfigError(`cannot complete topic ${name} into an ARN: the function ARN "${invokedFunctionArn}" is not an ARN`);
  }
  return `arn:${partition}:sns:${region}:${account}:${name}`;
}

/**
 * AWS console links for a notification. Regions and event IDs come from the log, so they
 * are validated before they go into a URL: a crafted `awsRegion` such as
 * `evil.example/#` must not choose the link's host, and anything that does not look like
 * an AWS region or a CloudTrail event ID gets no link at all.
 */

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
/** CloudTrail eventIDs are UUIDs; allow the shape, not just the one format. */
const EVENT_ID = /^[A-Za-z0-9-]{1,128}$/;

export function isRegion(value: string | undefined): value is string {
  return typeof value === 'string' && REGION.test(value);
}

/** The console origin for a region's partition; undefined for a value that is not a region. */
export function consoleOrigin(region: string | undefined): string | undefined {
  if (!isRegion(region)) return undefined;
  if (region.startsWith('cn-')) return `https://${region}.console.amazonaws.cn`;
  if (region.startsWith('us-gov-')) return 'https://console.amazonaws-us-gov.com';
  return `https://${region}.console.aws.amazon.com`;
}

/**
 * The CloudTrail console's event-history page for one event, in the region that recorded
 * it (event history is per region and covers 90 days of management events).
 */
export function cloudTrailEventUrl(region: string | undefined, eventId: string | undefined): string | undefined {
  const origin = consoleOrigin(region);
  if (origin === undefined || typeof eventId !== 'string' || !EVENT_ID.test(eventId)) return undefined;
  return `${origin}/cloudtrailv2/home?region=${region}#/events/${encodeURIComponent(eventId)}`;
}

/**
 * The Logs Insights query for a delivery's log stream. CloudTrail's own CloudWatch Logs
 * integration and trailwatch forward the raw record JSON, so the fields are the record's.
 */
export function insightsQuery(logStream: string | undefined): string {
  const lines = ['fields @timestamp, eventSource, eventName, userIdentity.arn, sourceIPAddress, errorCode, eventID'];
  if (logStream) lines.push(`| filter @logStream = ${quoteInsights(logStream)}`);
  lines.push('| sort @timestamp desc', '| limit 10000');
  return lines.join('\n');
}

/** A Logs Insights string literal: double quotes, with `\` and `"` escaped. */
function quoteInsights(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export interface InsightsLink {
  readonly region: string | undefined;
  readonly logGroup: string;
  readonly query: string;
  readonly start: Date;
  readonly end: Date;
}

/**
 * The Logs Insights console with the group, query and absolute time range filled in. The
 * console keeps its state in the fragment as `logs-insights?queryDetail=<jsurl>` with the
 * outer `?`/`=` percent-encoded and `%` written as `$`; inside, `~` separates, `'` starts
 * a string, `(`…`)` group, and string bytes outside [A-Za-z0-9._-] are `*xx` (the
 * console's own links use lower-case hex).
 */
export function logsInsightsUrl(link: InsightsLink): string | undefined {
  const origin = consoleOrigin(link.region);
  if (origin === undefined || link.logGroup === '') return undefined;
  const detail =
    `~(end~'${jsurlText(link.end.toISOString())}~start~'${jsurlText(link.start.toISOString())}` +
    `~timeType~'ABSOLUTE~tz~'UTC~editorString~'${jsurlText(link.query)}` +
    `~source~(~'${jsurlText(link.logGroup)}))`;
  return `${origin}/cloudwatch/home?region=${link.region}#logsV2:logs-insights$3FqueryDetail$3D${detail}`;
}

function jsurlText(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9._-]/.test(char) ? char : `*${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

import { createHash } from 'node:crypto';
import type { FindingEntryV1, NotificationDocumentV1 } from './schema';
import { countText } from './count-text';

/**
 * Amazon Q Developer in chat applications (formerly AWS Chatbot) "custom notification":
 * the only JSON body besides AWS service events that it renders from an SNS topic into
 * Slack, Microsoft Teams or Chime (AWS-FACTS.md; the service's "Custom notifications" page:
 * `version` must be "1.0", `source` must be "custom", `textType` only "client-markdown").
 */
export interface ChatNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    readonly threadId: string;
    readonly summary: string;
    readonly eventType: string;
    readonly relatedResources: readonly string[];
  };
}

/**
 * Budgets. The service's page gives no per-field limits in what it documents; Slack cuts a
 * text block at 3,000 characters and Teams cards grow unreadable long before SNS's 256 KB,
 * so the description lists rules until 3,000 characters and counts the rest.
 */
export const CHAT_LIMITS = { title: 250, description: 3_000, nextSteps: 3, keywords: 10, relatedResources: 10, value: 200 } as const;

export const CHAT_EVENT_TYPE = 'trailwatch.delivery';

const SEVERITY_MARK: Record<string, string> = { CRITICAL: ':rotating_light:', HIGH: ':red_circle:', MEDIUM: ':large_orange_circle:', LOW: ':large_yellow_circle:', INFO: ':information_source:', NONE: ':white_check_mark:' };

/**
 * Makes an untrusted value inert in any chat markdown, whatever the target platform: it can
 * never become a link, a mention or markup. The value is already `sanitize`d (no control,
 * bidi or invisible characters; capped). Then:
 * - `<` `>` become `‹` `›`: no Slack `<!channel>`, `<@U123>` or `<http://x|y>` syntax, no HTML;
 * - `@` becomes `＠` (fullwidth): no `@channel`, `@here`, `@everyone` or user mention;
 * - markdown characters become look-alikes (`*`→`∗`, `_`→`＿`, `~`→`∼`, `` ` ``→`ˋ`,
 *   `[`→`［`, `]`→`］`, `|`→`│`, `#`→`＃`): no bold, italics, strike, code, link or heading;
 * - `://` becomes `[:]//` and the dot before a top-level-domain-like word `[.]`: chat
 *   clients auto-link bare URLs and domain names, defanged ones they do not.
 * Every replacement is visible, so what the reader sees still says what the log said.
 */
export function chatSafe(value: string, maxChars: number = CHAT_LIMITS.value): string {
  const capped = [...value].length > maxChars ? `${[...value].slice(0, maxChars).join('')}…` : value;
  return capped
    .replace(/[<>@*_~`[\]|#]/g, (c) => CHAT_LOOKALIKE[c] ?? c)
    .replace(/:\/\//g, '[:]//')
    .replace(/([A-Za-z0-9-])\.(?=[A-Za-z][A-Za-z0-9-]*\b)/g, '$1[.]');
}

const CHAT_LOOKALIKE: Record<string, string> = {
  '<': '‹',
  '>': '›',
  '@': '＠',
  '*': '∗',
  _: '＿',
  '~': '∼',
  '`': 'ˋ',
  '[': '［',
  ']': '］',
  '|': '│',
  '#': '＃',
};

/** One message per delivery, threaded by account and region; headline = the most severe rule. */
export function buildChatNotification(doc: NotificationDocumentV1): ChatNotification {
  const top = doc.findings[0];
  const account = doc.delivery.accountId ?? 'unknown-account';
  const region = doc.delivery.region ?? 'unknown-region';
  const severity = doc.summary.highestSeverity;
  const where = `${chatSafe(account, 64)} ${chatSafe(region, 64)}`;
  const others = doc.summary.matched.findings - (top?.matched.findings ?? 0);
  const headline = top
    ? `${SEVERITY_MARK[severity] ?? ''} [${severity}] ${chatSafe(top.title, 150)}${top.matched.events > 1 ? ` x${countText(top.matched.events)}` : ''} in ${where}${others > 0 ? ` (+${others} more)` : ''}`
    : doc.delivery.status === 'failed'
      ? `:warning: [FAILED] Delivery not processed (${chatSafe(doc.delivery.error?.reason ?? 'Unknown', 64)}) in ${where}`
      : `${SEVERITY_MARK.NONE} [OK] No findings in ${where}`;
  const nextSteps = [
    top?.runbook ? `Runbook: ${chatSafe(top.runbook, 400)}` : undefined,
    // our own links: host chosen by links.ts from a validated region, never from the log
    doc.links.logsInsights ? `Every record of the delivery in Logs Insights: ${doc.links.logsInsights}` : undefined,
    top?.examples[0]?.links?.cloudTrailEventHistory ? `The first event in CloudTrail: ${top.examples[0].links.cloudTrailEventHistory}` : undefined,
  ].filter((s): s is string => s !== undefined);
  const keywords = [severity, ...doc.findings.map((f) => f.ruleId), account, region].map((k) => chatSafe(k, 60));
  const resources = [
    `arn:aws:s3:::${doc.delivery.bucket}/${doc.delivery.key}`,
    ...doc.findings.flatMap((f) => f.examples.map((e) => e.principal?.arn).filter((a): a is string => typeof a === 'string')),
  ];
  return {
    version: '1.0',
    source: 'custom',
    id: createHash('sha256').update(`${doc.delivery.bucket}\u0000${doc.delivery.key}\u0000${doc.delivery.versionId ?? ''}`).digest('hex').slice(0, 32),
    content: {
      textType: 'client-markdown',
      title: truncate(headline, CHAT_LIMITS.title),
      description: describe(doc),
      nextSteps: nextSteps.slice(0, CHAT_LIMITS.nextSteps),
      keywords: [...new Set(keywords)].slice(0, CHAT_LIMITS.keywords),
    },
    metadata: {
      // one thread per account and region: the characters of an id whatever the log said
      threadId: `trailwatch-${account}-${region}`.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 100),
      summary: truncate(`${severity}: ${top ? chatSafe(top.title, 150) : headline} in ${where}`, CHAT_LIMITS.title),
      eventType: CHAT_EVENT_TYPE,
      relatedResources: [...new Set(resources.map((r) => chatSafe(r, 300)))].slice(0, CHAT_LIMITS.relatedResources),
    },
  };
}

/** The JSON the SNS message carries; `<`, `>`, `&` as \u escapes as in the JSON rendering. */
export function renderChat(doc: NotificationDocumentV1): string {
  return JSON.stringify(buildChatNotification(doc)).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function describe(doc: NotificationDocumentV1): string {
  const s = doc.summary;
  const lines = [
    `*${countText(s.matched.events)} events matched in ${countText(s.matched.findings)} findings of ${s.ruleCount} rules* (log file ${chatSafe(doc.delivery.key.split('/').pop() ?? '', 120)})`,
  ];
  let used = lines[0]?.length ?? 0;
  let shown = 0;
  for (const entry of doc.findings) {
    const line = ruleLine(entry);
    if (used + line.length + 1 > CHAT_LIMITS.description - 60) break;
    lines.push(line);
    used += line.length + 1;
    shown++;
  }
  const left = doc.findings.length - shown + doc.omitted.rules;
  if (left > 0) lines.push(`…and ${left} more rules: see the findings topic or Logs Insights`);
  if (doc.delivery.error) lines.push(`Failed: ${chatSafe(doc.delivery.error.reason, 64)}: ${chatSafe(doc.delivery.error.message, 300)}`);
  return truncate(lines.join('\n'), CHAT_LIMITS.description);
}

function ruleLine(entry: FindingEntryV1): string {
  const example = entry.examples[0];
  const who = example?.principal?.arn ?? example?.principal?.userName ?? example?.principal?.type;
  const facts = [
    example?.eventName ? `${chatSafe(example.eventName, 80)}` : undefined,
    who ? `by ${chatSafe(who, 160)}` : undefined,
    example?.sourceIPAddress ? `from ${chatSafe(example.sourceIPAddress, 64)}` : undefined,
    entry.firstSeen ? `at ${chatSafe(entry.firstSeen, 40)}` : undefined,
  ].filter((f): f is string => f !== undefined);
  return `• *${entry.severity}* ${chatSafe(entry.title, 150)} (${chatSafe(entry.ruleId, 80)}) x${countText(entry.matched.events)}${facts.length ? `: ${facts.join(' ')}` : ''}`;
}

function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

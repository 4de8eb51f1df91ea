import type { ExampleV1, FindingEntryV1, NotificationDocumentV1, SeverityCounts } from './schema';
import { defang } from './sanitize';
import { countText } from './count-text';

/**
 * The email rendering: plain text (SNS email subscriptions deliver text/plain), read top to
 * bottom by someone on call. Every value from the log is already sanitised (no line breaks,
 * no control or bidi characters), is defanged here, and sits after a fixed label at the end
 * of its own line, so it cannot start a line, look like a label, or reorder the line.
 */
export function renderText(doc: NotificationDocumentV1): string {
  const lines: string[] = [headline(doc)];
  const counts = severityList(doc.summary.bySeverity);
  if (counts) lines.push(`Findings by severity: ${counts}`);
  if (doc.delivery.error) lines.push(`Delivery failed: ${u(doc.delivery.error.reason)}: ${u(doc.delivery.error.message)}`);
  lines.push('');

  doc.findings.forEach((entry, index) => append(lines, findingBlock(entry, index + 1), ''));
  append(lines, omittedBlock(doc));
  append(lines, deliveryBlock(doc), '');
  append(lines, linksBlock(doc));
  return `${lines.join('\n')}\n`;
}

/** Loops, not push(...lines): no spread into a call anywhere (see eslint.config.mjs). */
function append(lines: string[], more: readonly string[], ...after: string[]): void {
  for (const line of more) lines.push(line);
  for (const line of after) lines.push(line);
}

function headline(doc: NotificationDocumentV1): string {
  const s = doc.summary;
  const where = whereOf(doc.delivery.accountId, doc.delivery.region);
  if (s.matched.findings === 0) {
    const state = doc.delivery.status === 'failed' ? 'delivery FAILED' : 'no findings';
    return `trailwatch: ${state}${where} (${num(doc.delivery.records.read)} records read)`;
  }
  if (s.matched.findings > s.findingCount) {
    return (
      `trailwatch: ${s.highestSeverity}, ${plural(s.matched.events, 'event')} matched in ${plural(s.matched.findings, 'finding')}, ` +
      `${num(s.findingCount)} listed${where}`
    );
  }
  return `trailwatch: ${s.highestSeverity}, ${plural(s.findingCount, 'finding')} (${plural(s.eventCount, 'event')})${where}`;
}

function findingBlock(entry: FindingEntryV1, position: number): string[] {
  const lines = [`[${position}] ${entry.severity}  ${u(entry.title)}`];
  lines.push(label('Rule', `${u(entry.ruleId)} (${entry.source})`));
  const callers = `${plural(entry.distinctPrincipals, 'principal')}, ${plural(entry.distinctSourceIPs, 'source IP')}`;
  if (entry.matched.findings > entry.findingCount) {
    // a storm: the true size first, then what is listed (callers are counted over the listed)
    const listed = entry.findingCount === 0 ? 'none listed' : `${num(entry.findingCount)} listed (${callers} among them)`;
    lines.push(label('Count', `${plural(entry.matched.events, 'event')} matched in ${plural(entry.matched.findings, 'finding')}, ${listed}`));
  } else {
    lines.push(label('Count', `${plural(entry.eventCount, 'event')} in ${plural(entry.findingCount, 'finding')}, ${callers}`));
  }
  if (entry.firstSeen !== undefined) {
    const seen = entry.lastSeen && entry.lastSeen !== entry.firstSeen ? `${entry.firstSeen} to ${entry.lastSeen}` : entry.firstSeen;
    lines.push(label('Seen', u(seen)));
  }
  if (entry.description !== undefined) lines.push(label('Description', u(entry.description)));
  if (entry.runbook !== undefined) lines.push(label('Runbook', u(entry.runbook)));
  for (const reference of entry.references ?? []) lines.push(label('Reference', u(reference)));
  entry.examples.forEach((example, index) => {
    lines.push('', `    Example ${index + 1} of ${entry.examples.length}${entry.omittedExamples > 0 ? ` (${entry.omittedExamples} more not shown)` : ''}`);
    append(lines, exampleLines(example));
  });
  return lines;
}

function exampleLines(example: ExampleV1): string[] {
  const p = example.principal;
  const who = [p?.type, p?.arn ?? p?.userName].filter((part) => part !== undefined).join(' ');
  const what = [example.eventName, example.eventSource && `on ${example.eventSource}`].filter(Boolean).join(' ');
  const lines = [
    label('Who', dash(u(who)), 6),
    label('What', dash(u(what)), 6),
    label('Where', dash(u([example.accountId && `account ${example.accountId}`, example.region && `region ${example.region}`].filter(Boolean).join(', '))), 6),
    label('When', dash(u(example.eventTime)), 6),
    label('Source IP', dash(u(example.sourceIPAddress)), 6),
    label('User agent', dash(u(example.userAgent)), 6),
    label('Error code', example.errorCode === undefined ? '- (the call succeeded)' : u(example.errorCode), 6),
  ];
  if (example.count > 1) lines.push(label('Records', num(example.count), 6));
  if (example.eventID !== undefined) lines.push(label('Event ID', u(example.eventID), 6));
  if (example.links?.cloudTrailEventHistory) lines.push(label('Event history', example.links.cloudTrailEventHistory, 6));
  if (example.details !== undefined) lines.push(label('Details', u(JSON.stringify(example.details)), 6));
  return lines;
}

function omittedBlock(doc: NotificationDocumentV1): string[] {
  const o = doc.omitted;
  const lines: string[] = [];
  if (o.notListed.findings > 0) {
    lines.push(
      `Not listed: ${plural(o.notListed.findings, 'finding')} (${plural(o.notListed.events, 'event')}) ` +
        'past the findings listed per rule and per delivery; they are counted above.',
    );
  }
  if (o.findings > 0) {
    lines.push(
      `Not shown to stay under the SNS size limit: ${plural(o.findings, 'finding')} (${plural(o.events, 'event')}) ` +
        `of ${plural(o.rules, 'rule')}: ${severityList(o.bySeverity)}.`,
    );
  }
  if (o.notListed.findings > 0 || o.findings > 0) lines.push('  Every record is in CloudWatch Logs: run the Logs Insights query below.');
  if (o.belowMinSeverity > 0) {
    lines.push(`Left out by configuration: ${plural(o.belowMinSeverity, 'finding')} below the minimum severity.`);
  }
  if (lines.length > 0) lines.push('');
  return lines;
}

function deliveryBlock(doc: NotificationDocumentV1): string[] {
  const d = doc.delivery;
  const r = d.records;
  const rejected = r.rejected;
  const lines = ['Delivery', label('Object', `s3://${u(d.bucket)}/${u(d.key)}`, 2)];
  if (d.versionId !== undefined) lines.push(label('Version', u(d.versionId), 2));
  lines.push(
    label('Account', dash(u(d.accountId)), 2),
    label('Region', dash(u(d.region)), 2),
    label('Status', `${d.status} (${d.kind})`, 2),
    label(
      'Records',
      `${num(r.read)} read, ${num(r.forwarded)} forwarded, ${num(rejected.total)} rejected ` +
        `(too old ${num(rejected.tooOld)}, too new ${num(rejected.tooNew)}, expired ${num(rejected.expired)}, too large ${num(rejected.tooLarge)})`,
      2,
    ),
    label('Log group', u(d.logGroup), 2),
  );
  if (d.logStream !== undefined) lines.push(label('Log stream', u(d.logStream), 2));
  return lines;
}

function linksBlock(doc: NotificationDocumentV1): string[] {
  const l = doc.links;
  const lines = ['Links'];
  lines.push(label('Time range', `${l.timeRange.start} to ${l.timeRange.end}`, 2));
  if (l.logsInsights) lines.push(label('Logs Insights', l.logsInsights, 2));
  lines.push('  Query:');
  // Our own multi-line query; its only value from outside (the stream name) is sanitised and quoted.
  for (const line of l.logsInsightsQuery.split('\n')) lines.push(`    ${u(line)}`);
  return lines;
}

/** An untrusted, already sanitised value, with links made inert. */
function u(value: string | undefined): string {
  return value === undefined ? '' : defang(value);
}

function dash(value: string): string {
  return value === '' ? '-' : value;
}

function label(name: string, value: string, indent = 4): string {
  return `${' '.repeat(indent)}${`${name}:`.padEnd(15)}${value}`;
}

function whereOf(accountId: string | undefined, region: string | undefined): string {
  const parts = [accountId && `account ${u(accountId)}`, region && `region ${u(region)}`].filter(Boolean);
  return parts.length > 0 ? ` in ${parts.join(', ')}` : '';
}

function severityList(counts: SeverityCounts): string {
  return Object.entries(counts)
    .map(([severity, n]) => `${severity} ${num(n ?? 0)}`)
    .join(', ');
}

function num(n: number): string {
  return countText(n);
}

function plural(n: number, noun: string): string {
  return `${num(n)} ${noun}${n === 1 ? '' : 's'}`;
}

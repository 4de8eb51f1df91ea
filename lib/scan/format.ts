import type { Finding } from '../findings';

/** `HIGH  root-console-login  2026-11-24T09:01:05Z  111122223333 us-east-1  ConsoleLogin by Root arn:… from 203.0.113.9  [file]`. */
export function formatFinding(f: Finding): string {
  const who = f.principal ? [f.principal.type, f.principal.arn ?? f.principal.userName].filter(Boolean).join(' ') : 'unknown principal';
  const what = [f.eventName ?? '(no eventName)', `by ${who}`, f.sourceIPAddress ? `from ${f.sourceIPAddress}` : '', f.errorCode ? `(${f.errorCode})` : '']
    .filter(Boolean)
    .join(' ');
  const count = f.count > 1 ? ` ×${f.count}` : '';
  // log strings can carry terminal escapes: never let a record drive the person's terminal
  return stripControls(`${f.severity.padEnd(8)} ${f.ruleId}${count}  ${f.eventTime ?? '-'}  ${f.accountId ?? '-'} ${f.region ?? '-'}  ${what}  [${f.object.key}]`);
}

/** C0/C1 controls (ESC, CR, …) and bidi overrides shown as `\u….` escapes. */
export function stripControls(s: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The rule's texts, printed once per rule in NDJSON (findings reference them by id). */
export interface RuleLine {
  readonly type: 'rule';
  readonly ruleId: string;
  readonly source: Finding['source'];
  readonly title: string;
  readonly description?: string;
  readonly runbook?: string;
  readonly references?: readonly string[];
}

/**
 * NDJSON: one `{"type":"finding",…}` line per finding, without the rule's texts (title,
 * description, runbook, references), which come once per rule in a `{"type":"rule",…}` line
 * before its first finding: 1,711 findings no longer repeat 3.9 MB of descriptions.
 */
export class NdjsonWriter {
  private readonly rulesSeen = new Set<string>();
  constructor(private readonly out: (line: string) => void) {}

  write(f: Finding): void {
    const { title, description, runbook, references, ...rest } = f;
    const key = `${f.source}\u0000${f.ruleId}`;
    if (!this.rulesSeen.has(key)) {
      this.rulesSeen.add(key);
      const rule: RuleLine = { type: 'rule', ruleId: f.ruleId, source: f.source, title, ...(description ? { description } : {}), ...(runbook ? { runbook } : {}), ...(references ? { references } : {}) };
      this.out(JSON.stringify(rule));
    }
    this.out(JSON.stringify({ type: 'finding', ...rest }));
  }
}

export const CSV_COLUMNS = [
  'severity', 'ruleId', 'title', 'source', 'count', 'eventTime', 'accountId', 'region', 'eventSource', 'eventName',
  'principalType', 'principal', 'sourceIPAddress', 'errorCode', 'eventID', 'file',
] as const;

export function csvHeader(): string {
  return CSV_COLUMNS.join(',');
}

export function csvRow(f: Finding): string {
  const values: Record<(typeof CSV_COLUMNS)[number], string | number | undefined> = {
    severity: f.severity, ruleId: f.ruleId, title: f.title, source: f.source, count: f.count, eventTime: f.eventTime,
    accountId: f.accountId, region: f.region, eventSource: f.eventSource, eventName: f.eventName,
    principalType: f.principal?.type, principal: f.principal?.arn ?? f.principal?.userName, sourceIPAddress: f.sourceIPAddress,
    errorCode: f.errorCode, eventID: f.eventID, file: f.object.key,
  };
  return CSV_COLUMNS.map((c) => csvCell(values[c])).join(',');
}

/**
 * RFC 4180 quoting, and a leading `'` on a cell a spreadsheet would run as a formula (`=`,
 * `+`, `-`, `@`, tab, CR): log strings are attacker-controlled.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === undefined || value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

import { randomBytes } from 'node:crypto';
import { SEVERITIES, type Finding } from '../findings';
import type { ScanSummary } from '../scan/summary';
import type { EventRow } from './events';
import { REPORT_CSS, REPORT_SCRIPT } from './page';

/**
 * `trailwatch scan --html`: one self-contained HTML file. No network at all: the
 * Content-Security-Policy is `default-src 'none'` with the one inline script and style
 * allowed by a per-report nonce. Every string from a log record is untrusted: the data goes
 * in as JSON inside a `<script type="application/json">` element (with `<`, `>`, `&`, U+2028
 * and U+2029 escaped, so no record can close the element or break the parser), and the page
 * script renders it with textContent only, never as HTML, never as a link.
 *
 * Charts are hand-drawn SVG built with DOM calls (a few bars and marks): smaller than any
 * charting library inlined, and nothing to keep up to date.
 */
export interface ReportData {
  readonly files: readonly string[];
  readonly findings: readonly Finding[];
  readonly events: readonly EventRow[];
  readonly eventsCap: number;
  readonly eventsDropped: number;
  readonly summary: ScanSummary;
  readonly generatedAt: string;
}

/** Columns of the embedded events (arrays, not objects: the names are not repeated 100,000 times). */
export const EVENT_COLUMNS = ['time', 'name', 'source', 'principal', 'ip', 'errorCode', 'readOnly', 'resources', 'account', 'region', 'id', 'file', 'record'] as const;

export function buildHtmlReport(data: ReportData): string {
  const nonce = randomBytes(16).toString('base64');
  const s = data.summary;
  const payload = {
    generatedAt: data.generatedAt,
    files: data.files,
    records: s.records,
    accounts: [...s.accounts].sort(),
    regions: [...s.regions].sort(),
    severities: SEVERITIES,
    findingTotal: s.findings,
    bySeverity: Object.fromEntries(s.bySeverity),
    byRule: [...s.byRule].map(([id, r]) => ({ id, severity: r.severity, title: r.title, findings: r.findings })),
    findings: data.findings.map((f) => ({
      ruleId: f.ruleId, title: f.title, severity: f.severity, source: f.source, time: f.eventTime ?? '', eventID: f.eventID ?? '',
      name: f.eventName ?? '', principal: f.principal?.arn ?? f.principal?.userName ?? '', file: f.object.key, count: f.count,
    })),
    eventsCap: data.eventsCap,
    eventsDropped: data.eventsDropped,
    columns: EVENT_COLUMNS,
    events: data.events.map((e) => EVENT_COLUMNS.map((c) => e[c] ?? null)),
  };
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>trailwatch scan report</title>
<style nonce="${nonce}">${REPORT_CSS}</style>
</head><body>
<script type="application/json" id="trailwatch-data">${jsonForScript(payload)}</script>
<script nonce="${nonce}">${REPORT_SCRIPT}</script>
</body></html>
`;
}

/** JSON safe inside a script element: nothing a record holds can end the element or the script. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

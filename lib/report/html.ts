import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
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

/** Columns of the event table, in the page's order (`record` is not embedded as a column: see below). */
export const EVENT_COLUMNS = ['time', 'name', 'source', 'principal', 'ip', 'errorCode', 'readOnly', 'resources', 'account', 'region', 'id', 'file', 'record'] as const;
/** The columns held as indexes into one string table: event names, sources, principals, accounts repeat across 100,000 events. */
const STRING_COLUMNS = ['time', 'name', 'source', 'principal', 'ip', 'errorCode', 'resources', 'account', 'region', 'id'] as const;

/**
 * The event table, columnar: one array per column, strings as indexes into `strings`
 * (each distinct value once), `readOnly` as 1/0/-1 and `file` as the file's index. The page
 * parses this small document at once; the records' own JSON, needed only to compare or
 * download, is kept apart (recordsForScript), gzipped and base64-encoded (CloudTrail JSON
 * compresses about tenfold, and the HTML parser then reads a few MB instead of 140), and
 * inflated by the browser's own DecompressionStream only when first needed: parsing
 * 100,000 records at open was what made the report slow (issue 14: 9 s for 100,000 events).
 */
export function compactEvents(events: readonly EventRow[]): { count: number; strings: string[]; columns: Record<string, number[]> } {
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const intern = (value: string): number => {
    let id = ids.get(value);
    if (id === undefined) {
      id = strings.push(value) - 1;
      ids.set(value, id);
    }
    return id;
  };
  const columns: Record<string, number[]> = {};
  for (const c of STRING_COLUMNS) columns[c] = events.map((e) => intern(e[c]));
  columns.readOnly = events.map((e) => (e.readOnly === null ? -1 : e.readOnly ? 1 : 0));
  columns.file = events.map((e) => e.file);
  return { count: events.length, strings, columns };
}

/**
 * One line per event: the record's JSON as CloudTrail wrote it (`null` when only the
 * finding's fields are known). Line breaks in JSON text are whitespace outside strings (a
 * string cannot hold a raw one), so they become spaces; `<`, `>`, `&`, U+2028/9 can occur
 * only inside strings and become \u escapes: the line still parses to the same record, and
 * nothing in it can end the script element.
 */
export function recordsForScript(events: readonly EventRow[]): string {
  return events.map((e) => (e.record === undefined ? 'null' : scriptSafe(e.record.replace(/[\r\n]/g, ' ')))).join('\n');
}

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
    events: compactEvents(data.events),
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
<script type="application/octet-stream" id="trailwatch-records" data-encoding="gzip+base64">${gzipSync(recordsForScript(data.events), { level: 6 }).toString('base64')}</script>
<script nonce="${nonce}">${REPORT_SCRIPT}</script>
</body></html>
`;
}

/** JSON safe inside a script element: nothing a record holds can end the element or the script. */
export function jsonForScript(value: unknown): string {
  return scriptSafe(JSON.stringify(value));
}

function scriptSafe(json: string): string {
  return json
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

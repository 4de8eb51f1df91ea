import type { TrailRecord } from '../cloudtrail/types';
import type { Finding } from '../findings';

/**
 * One event of the report's history table: the fields the filters and columns use, plus the
 * record's own JSON text for the comparison view. Every string comes from a log record and
 * is untrusted (lib/report/html.ts embeds them as JSON data, rendered with textContent).
 */
export interface EventRow {
  readonly time: string;
  readonly name: string;
  readonly source: string;
  readonly principal: string;
  readonly ip: string;
  readonly errorCode: string;
  readonly readOnly: boolean | null;
  readonly resources: string;
  readonly account: string;
  readonly region: string;
  readonly id: string;
  /** Index into the report's file list. */
  readonly file: number;
  /** The record as CloudTrail wrote it; absent for a finding's event past the cap (only the finding's fields are known). */
  readonly record?: string;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
}

export function eventRowOf(tr: TrailRecord, file: number): EventRow {
  const r = tr.record;
  const who = r.userIdentity ?? undefined;
  const resources = Array.isArray(r.resources)
    ? (r.resources as unknown[]).map((x) => (x && typeof x === 'object' ? text((x as Record<string, unknown>).ARN ?? (x as Record<string, unknown>).arn) : '')).filter(Boolean).join(' ')
    : '';
  return {
    time: text(r.eventTime),
    name: text(r.eventName),
    source: text(r.eventSource),
    principal: text(who?.arn ?? who?.userName ?? who?.principalId ?? who?.type ?? who?.invokedBy),
    ip: text(r.sourceIPAddress),
    errorCode: text(r.errorCode),
    readOnly: typeof r.readOnly === 'boolean' ? r.readOnly : null,
    resources,
    account: text(r.recipientAccountId ?? who?.accountId),
    region: text(r.awsRegion),
    id: text(r.eventID),
    file,
    record: tr.text,
  };
}

/** A finding's event when its record was not kept (over the cap): what the finding says of it. */
export function eventRowOfFinding(f: Finding, file: number): EventRow {
  return {
    time: f.eventTime ?? '',
    name: f.eventName ?? '',
    source: f.eventSource ?? '',
    principal: f.principal?.arn ?? f.principal?.userName ?? f.principal?.type ?? '',
    ip: f.sourceIPAddress ?? '',
    errorCode: f.errorCode ?? '',
    readOnly: null,
    resources: '',
    account: f.accountId ?? '',
    region: f.region ?? '',
    id: f.eventID ?? '',
    file,
  };
}

/**
 * Keeps the scan's events for the report up to `cap` (memory and file size), and always the
 * events behind findings: those past the cap come from the findings themselves.
 */
export class EventCollector {
  readonly rows: EventRow[] = [];
  /** Events seen past the cap and not kept. */
  dropped = 0;
  private readonly ids = new Set<string>();

  constructor(readonly cap: number) {}

  /** An analyser that keeps the file's records while there is room. */
  analyser(file: number): { observe(records: readonly TrailRecord[]): void; finish(): [] } {
    return {
      observe: (records) => {
        for (const tr of records) {
          if (this.rows.length >= this.cap) {
            this.dropped++;
            continue;
          }
          const row = eventRowOf(tr, file);
          this.rows.push(row);
          if (row.id) this.ids.add(row.id);
        }
      },
      finish: () => [],
    };
  }

  /** A file's findings: events not kept are added from the finding (never dropped from the report). */
  addFindings(findings: readonly Finding[], file: number): void {
    for (const f of findings) {
      if (!f.eventID || this.ids.has(f.eventID) || f.source === 'anomaly') continue;
      this.rows.push(eventRowOfFinding(f, file));
      this.ids.add(f.eventID);
    }
  }
}

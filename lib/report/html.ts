import type { Finding } from '../findings';
import type { ScanSummary } from '../scan/summary';
import type { EventRow } from './events';

export interface ReportData {
  readonly files: readonly string[];
  readonly findings: readonly Finding[];
  readonly events: readonly EventRow[];
  readonly eventsCap: number;
  readonly eventsDropped: number;
  readonly summary: ScanSummary;
  readonly generatedAt: string;
}

export function buildHtmlReport(data: ReportData): string {
  return `<!doctype html><title>trailwatch</title><pre>${data.findings.length}</pre>`;
}

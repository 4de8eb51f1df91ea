import { SEVERITIES, severityRank, type Finding, type Severity } from '../findings';
import { findingTotal, type DeliveryReport } from '../report';

/** What a scan saw, for the closing summary, the exit code and the report's dashboard. */
export class ScanSummary {
  files = 0;
  processed = 0;
  skipped = 0;
  failed = 0;
  records = 0;
  bytes = 0;
  /** Findings the analysers gave, listed or over the per-delivery caps. */
  findings = 0;
  listed = 0;
  readonly bySeverity = new Map<Severity, number>(SEVERITIES.map((s) => [s, 0]));
  /** ruleId → { severity (the most severe seen), title, findings }. */
  readonly byRule = new Map<string, { severity: Severity; title: string; findings: number }>();
  readonly accounts = new Set<string>();
  readonly regions = new Set<string>();
  readonly failures: { file: string; reason: string }[] = [];

  add(name: string, report: DeliveryReport): void {
    this.files++;
    this.records += report.records.read;
    this.bytes += report.bytes.compressed;
    if (report.status === 'failed') {
      this.failed++;
      this.failures.push({ file: name, reason: report.reason });
      return;
    }
    if (report.status === 'skipped') {
      this.skipped++;
      return;
    }
    this.processed++;
    if (report.accountId && report.accountId !== '000000000000') this.accounts.add(report.accountId);
    if (report.region && report.accountId !== '000000000000') this.regions.add(report.region);
    for (const f of report.findings) {
      if (f.accountId) this.accounts.add(f.accountId);
      if (f.region) this.regions.add(f.region);
    }
    this.findings += findingTotal(report);
    this.listed += report.findings.length;
    // the true counts per rule, over the caps too
    const rules = report.matched?.rules ?? tallyListed(report.findings);
    for (const r of rules) {
      this.bySeverity.set(r.severity, (this.bySeverity.get(r.severity) ?? 0) + r.findings);
      const seen = this.byRule.get(r.ruleId);
      if (seen) {
        seen.findings += r.findings;
        if (severityRank(r.severity) > severityRank(seen.severity)) seen.severity = r.severity;
      } else this.byRule.set(r.ruleId, { severity: r.severity, title: r.title, findings: r.findings });
    }
  }

  /** Findings at or above `severity`. */
  atOrAbove(severity: Severity): number {
    let n = 0;
    for (const [s, count] of this.bySeverity) if (severityRank(s) >= severityRank(severity)) n += count;
    return n;
  }

  /** The closing lines: totals, per severity, per rule (most severe, then most findings). */
  lines(): string[] {
    const unlisted = this.findings > this.listed ? ` (${this.listed} listed)` : '';
    const out = [
      `${this.files} file(s) (${this.processed} read, ${this.skipped} skipped${this.failed > 0 ? `, ${this.failed} FAILED` : ''}), ${this.records} record(s), ${this.findings} finding(s)${unlisted}`,
    ];
    if (this.findings === 0) return out;
    out.push(`by severity: ${[...SEVERITIES].reverse().filter((s) => (this.bySeverity.get(s) ?? 0) > 0).map((s) => `${s} ${this.bySeverity.get(s)}`).join(', ')}`);
    out.push('by rule:');
    const rules = [...this.byRule].sort((a, b) => severityRank(b[1].severity) - severityRank(a[1].severity) || b[1].findings - a[1].findings || a[0].localeCompare(b[0]));
    for (const [id, r] of rules) out.push(`  ${r.severity.padEnd(8)} ${String(r.findings).padStart(6)}  ${id}`);
    return out;
  }
}

function tallyListed(findings: readonly Finding[]): { ruleId: string; severity: Severity; title: string; findings: number }[] {
  const m = new Map<string, { ruleId: string; severity: Severity; title: string; findings: number }>();
  for (const f of findings) {
    const k = `${f.ruleId}\u0000${f.severity}`;
    const t = m.get(k) ?? { ruleId: f.ruleId, severity: f.severity, title: f.title, findings: 0 };
    t.findings++;
    m.set(k, t);
  }
  return [...m.values()];
}

import { eventsOf, ruleKeyOf, severityRank, type Finding, type RuleMatches, type Severity } from '../findings';

export { eventsOf } from '../findings';

/** Findings of one rule (same id, severity and source) in one delivery. */
export interface FindingGroup {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly source: Finding['source'];
  readonly title: string;
  /** The findings in input order (the listed ones; may be none when the per-delivery cap left none). */
  readonly findings: readonly Finding[];
  /** Matching records the findings stand for: Σ `count`. */
  readonly events: number;
  /** What the rule matched, listed or not (`DeliveryReport.matched`); at least the listed. */
  readonly matched: { readonly events: number; readonly findings: number };
  /** Earliest and latest parseable eventTime, as written in the records. */
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  /** Up to `maxExamples` findings, distinct callers first, in time order. */
  readonly examples: readonly Finding[];
  readonly distinctPrincipals: number;
  readonly distinctSourceIPs: number;
}

/** Most severe first, then most events matched, then rule id and source: a total, deterministic order. */
export function compareGroups(a: FindingGroup, b: FindingGroup): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    b.matched.events - a.matched.events ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.source, b.source)
  );
}

/**
 * Aggregates repeats of the same rule into one group (500 AccessDenied events are one entry
 * with a count and a few examples), ordered by `compareGroups`. `matched` (the report's true
 * counts per rule) sets each group's `matched`, and adds a group without findings for a rule
 * whose findings the per-delivery cap left out entirely; a rule whose listed findings are all
 * absent here (alerted before, filtered) gets none.
 */
export function groupFindings(findings: readonly Finding[], maxExamples = 3, matched: readonly RuleMatches[] = []): FindingGroup[] {
  const byRule = new Map<string, Finding[]>();
  for (const finding of findings) {
    const key = ruleKeyOf(finding);
    const members = byRule.get(key);
    if (members) members.push(finding);
    else byRule.set(key, [finding]);
  }
  const told = new Map<string, RuleMatches>();
  for (const rule of matched) told.set(ruleKeyOf(rule), rule);
  const groups: FindingGroup[] = [];
  for (const [key, members] of byRule) groups.push(toGroup(members, maxExamples, told.get(key)));
  for (const [key, rule] of told) {
    if (byRule.has(key) || rule.listed > 0 || rule.findings <= 0) continue;
    groups.push({
      ruleId: rule.ruleId,
      severity: rule.severity,
      source: rule.source,
      title: rule.title,
      findings: [],
      events: 0,
      matched: { events: Math.max(0, rule.events), findings: rule.findings },
      examples: [],
      distinctPrincipals: 0,
      distinctSourceIPs: 0,
    });
  }
  return groups.sort(compareGroups);
}

function toGroup(members: Finding[], maxExamples: number, told: RuleMatches | undefined): FindingGroup {
  const first = members[0] as Finding;
  const events = members.reduce((sum, finding) => sum + eventsOf(finding), 0);
  const timed = members
    .map((finding, index) => ({ finding, index, time: parseTime(finding.eventTime) }))
    .sort((a, b) => compareTimes(a.time, b.time) || a.index - b.index);
  const times = timed.filter((entry) => entry.time !== undefined);
  const principals = new Set(members.map(principalKey));
  const ips = new Set(members.map((finding) => finding.sourceIPAddress ?? ''));
  return {
    ruleId: first.ruleId,
    severity: first.severity,
    source: first.source,
    title: first.title,
    findings: members,
    events,
    matched: { events: Math.max(events, told?.events ?? 0), findings: Math.max(members.length, told?.findings ?? 0) },
    ...(times.length > 0
      ? { firstSeen: times[0]?.finding.eventTime, lastSeen: times[times.length - 1]?.finding.eventTime }
      : {}),
    examples: pickExamples(timed, maxExamples),
    distinctPrincipals: principals.size,
    distinctSourceIPs: ips.size,
  };
}

/**
 * Examples an on-call person learns most from: first one per distinct caller (principal and
 * source IP), earliest first; then the earliest of the rest; shown in time order.
 */
function pickExamples(timed: ReadonlyArray<{ finding: Finding; index: number }>, maxExamples: number): Finding[] {
  const chosen = new Set<number>();
  const callers = new Set<string>();
  for (const entry of timed) {
    if (chosen.size >= maxExamples) break;
    const caller = `${principalKey(entry.finding)}\u0000${entry.finding.sourceIPAddress ?? ''}`;
    if (callers.has(caller)) continue;
    callers.add(caller);
    chosen.add(entry.index);
  }
  for (const entry of timed) {
    if (chosen.size >= maxExamples) break;
    chosen.add(entry.index);
  }
  return timed.filter((entry) => chosen.has(entry.index)).map((entry) => entry.finding);
}

function principalKey(finding: Finding): string {
  const p = finding.principal;
  return p?.arn ?? p?.userName ?? p?.type ?? '';
}

function parseTime(value: string | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Undefined (unparseable) times sort last. */
function compareTimes(a: number | undefined, b: number | undefined): number {
  if (a === undefined) return b === undefined ? 0 : 1;
  if (b === undefined) return -1;
  return a - b;
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import { severityRank, type Finding, type Severity } from '../findings';

/** Findings of one rule (same id, severity and source) in one delivery. */
export interface FindingGroup {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly source: Finding['source'];
  /** The findings in input order. */
  readonly findings: readonly Finding[];
  /** Matching records the findings stand for: Σ `count`. */
  readonly events: number;
  /** Earliest and latest parseable eventTime, as written in the records. */
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  /** Up to `maxExamples` findings, distinct callers first, in time order. */
  readonly examples: readonly Finding[];
  readonly distinctPrincipals: number;
  readonly distinctSourceIPs: number;
}

/** Most severe first, then most events, then rule id and source: a total, deterministic order. */
export function compareGroups(a: FindingGroup, b: FindingGroup): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    b.events - a.events ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.source, b.source)
  );
}

/**
 * Aggregates repeats of the same rule into one group (500 AccessDenied events are one entry
 * with a count and a few examples), ordered by `compareGroups`.
 */
export function groupFindings(findings: readonly Finding[], maxExamples = 3): FindingGroup[] {
  const byRule = new Map<string, Finding[]>();
  for (const finding of findings) {
    const key = JSON.stringify([finding.ruleId, finding.severity, finding.source]);
    const members = byRule.get(key);
    if (members) members.push(finding);
    else byRule.set(key, [finding]);
  }
  return [...byRule.values()].map((members) => toGroup(members, maxExamples)).sort(compareGroups);
}

function toGroup(members: Finding[], maxExamples: number): FindingGroup {
  const first = members[0] as Finding;
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
    findings: members,
    events: members.reduce((sum, finding) => sum + eventsOf(finding), 0),
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

/** A finding always stands for at least one record, whatever a buggy producer says. */
export function eventsOf(finding: Finding): number {
  return Number.isSafeInteger(finding.count) && finding.count > 0 ? finding.count : 1;
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

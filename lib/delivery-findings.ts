import {
  eventsOf,
  FINDING_LIMITS,
  ruleKeyOf,
  severityRank,
  type Finding,
  type FindingLimits,
  type FindingMatches,
  type RuleMatches,
  type RuleTally,
  type Severity,
} from './findings';

interface RuleEntry {
  readonly ruleId: string;
  readonly source: Finding['source'];
  readonly severity: Severity;
  readonly title: string;
  events: number;
  findings: number;
  /** Findings handed over for this rule, across analysers. */
  offered: number;
  /** Not listed: over the per-rule cap, here or already in the analyser. */
  overRule: number;
  /** Not listed: cut by the per-delivery cap. */
  overDelivery: number;
}

interface Candidate {
  readonly finding: Finding;
  readonly severity: number;
  /** The finding's place among its rule's findings: 0 for each rule's first. */
  readonly nth: number;
  readonly key: string;
  readonly arrival: number;
  readonly rule: RuleEntry;
}

/**
 * The findings of one delivery, from every analyser, kept within `FINDING_LIMITS` and
 * counted in full. Memory stays bounded whatever the analysers return: findings over a
 * rule's cap are only counted, and the candidates are cut back to the per-delivery cap
 * whenever they reach twice it.
 *
 * Which findings are listed when a delivery has more than `perDelivery`: the most severe
 * first, so a less severe finding never takes the place of a more severe one; within one
 * severity, every rule's first finding before any rule's second (one noisy rule cannot push
 * the others out of the notification), then rule identity and arrival order. That order is
 * total, so the outcome depends only on the findings and their order, not on when the list
 * was cut back.
 */
export class DeliveryFindings {
  private readonly rules = new Map<string, RuleEntry>();
  private kept: Candidate[] = [];
  private arrivals = 0;

  constructor(private readonly limits: FindingLimits = FINDING_LIMITS) {
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`finding limit ${name} must be a positive integer, got ${value}`);
    }
  }

  /**
   * One analyser's findings, and its own counts for rules whose findings it already capped
   * (without them, the findings given are taken as all there were).
   */
  add(findings: readonly Finding[], tallies: readonly RuleTally[] = []): void {
    const given = new Map<string, { events: number; findings: number; sample: Finding }>();
    // a loop, not push(...findings): a spread of more than ~120,000 elements overflows the stack
    for (let i = 0; i < findings.length; i++) {
      const finding = findings[i] as Finding;
      const key = ruleKeyOf(finding);
      const here = given.get(key);
      if (here === undefined) given.set(key, { events: eventsOf(finding), findings: 1, sample: finding });
      else {
        here.events += eventsOf(finding);
        here.findings++;
      }
      const rule = this.entry(key, finding, finding.title);
      rule.offered++;
      if (rule.offered > this.limits.perRule) {
        rule.overRule++;
        continue;
      }
      this.kept.push({ finding, severity: severityRank(finding.severity), nth: rule.offered - 1, key, arrival: this.arrivals++, rule });
      if (this.kept.length >= 2 * this.limits.perDelivery) this.cut();
    }
    const told = new Map<string, { events: number; findings: number; tally: RuleTally }>();
    for (const tally of tallies) {
      const key = ruleKeyOf(tally);
      const seen = told.get(key);
      if (seen === undefined) told.set(key, { events: tally.events, findings: tally.findings, tally });
      else {
        seen.events += tally.events;
        seen.findings += tally.findings;
      }
    }
    for (const [key, here] of given) {
      const said = told.get(key);
      const rule = this.entry(key, here.sample, here.sample.title);
      rule.events += Math.max(here.events, said?.events ?? 0);
      rule.findings += Math.max(here.findings, said?.findings ?? 0);
      // what the analyser matched but did not hand over was over its per-rule cap
      rule.overRule += Math.max(0, (said?.findings ?? 0) - here.findings);
    }
    for (const [key, said] of told) {
      if (given.has(key)) continue;
      const rule = this.entry(key, said.tally, said.tally.title);
      rule.events += said.events;
      rule.findings += said.findings;
      rule.overRule += said.findings;
    }
  }

  /** The listed findings in the order the analysers gave them, and the true counts. */
  result(): { findings: Finding[]; matched: FindingMatches } {
    this.cut();
    const kept = [...this.kept].sort((a, b) => a.arrival - b.arrival);
    const listed = new Map<string, number>();
    for (const c of kept) listed.set(c.key, (listed.get(c.key) ?? 0) + 1);
    const rules: RuleMatches[] = [];
    let events = 0;
    let findings = 0;
    let perRule = 0;
    let perDelivery = 0;
    for (const [key, r] of this.rules) {
      if (r.findings === 0) continue;
      rules.push({ ruleId: r.ruleId, source: r.source, severity: r.severity, title: r.title, events: r.events, findings: r.findings, listed: listed.get(key) ?? 0 });
      events += r.events;
      findings += r.findings;
      perRule += r.overRule;
      perDelivery += r.overDelivery;
    }
    rules.sort(compareRules);
    return {
      findings: kept.map((c) => c.finding),
      matched: { events, findings, listed: kept.length, notListed: { perRule, perDelivery }, rules },
    };
  }

  private entry(key: string, rule: Pick<Finding, 'ruleId' | 'source' | 'severity'>, title: string): RuleEntry {
    let entry = this.rules.get(key);
    if (entry === undefined) {
      entry = { ruleId: rule.ruleId, source: rule.source, severity: rule.severity, title, events: 0, findings: 0, offered: 0, overRule: 0, overDelivery: 0 };
      this.rules.set(key, entry);
    }
    return entry;
  }

  /** Keeps the `perDelivery` best candidates (see the class comment); the rest are counted. */
  private cut(): void {
    if (this.kept.length <= this.limits.perDelivery) return;
    this.kept.sort(compareCandidates);
    for (let i = this.limits.perDelivery; i < this.kept.length; i++) (this.kept[i] as Candidate).rule.overDelivery++;
    this.kept.length = this.limits.perDelivery;
  }
}

function compareCandidates(a: Candidate, b: Candidate): number {
  return b.severity - a.severity || a.nth - b.nth || compareText(a.key, b.key) || a.arrival - b.arrival;
}

function compareRules(a: RuleMatches, b: RuleMatches): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    b.events - a.events ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.source, b.source)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Counts per rule for an analyser that caps its own findings (the rules engine does it inline;
 * the Insights analyser uses this): `count` says how many findings the rule has given so far,
 * so the caller keeps the finding only while that is within its cap.
 */
export class RuleTallies {
  private readonly tallies = new Map<string, { -readonly [K in keyof RuleTally]: RuleTally[K] }>();

  count(finding: Finding): number {
    const key = ruleKeyOf(finding);
    const tally = this.tallies.get(key);
    if (tally === undefined) {
      const { ruleId, source, severity, title } = finding;
      this.tallies.set(key, { ruleId, source, severity, title, events: eventsOf(finding), findings: 1 });
      return 1;
    }
    tally.events += eventsOf(finding);
    return ++tally.findings;
  }

  list(): RuleTally[] {
    return [...this.tallies.values()].map((t) => ({ ...t }));
  }
}

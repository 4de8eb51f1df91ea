import type { ObjectRef, TrailRecord } from '../cloudtrail/types';
import { FINDING_LIMITS, type Finding, type RuleTally } from '../findings';
import type { Analyser } from '../pipeline';
import { type FieldReader, fieldReader, keyText } from './field-path';
import { type FindingFacts, findingFacts, findingFromFacts } from './finding';
import { beginRecord, endRecords, fieldSlot, MISSING, slotValue } from './record-fields';
import type { CompiledRule, RequiredValues } from './rule';
import { TextMemo } from './text-memo';

/**
 * How a set of rules is evaluated, prepared once per pack: a rule whose match needs a field to
 * hold certain values sits in a table by those values, the rest are evaluated for every record.
 * A record thus costs a few table lookups plus the few rules that can match it, instead of
 * every rule in the pack.
 *
 * A rule is indexed by one field, the most selective it can: its eventName hint
 * (`eventNames`, exact; `eventNamesIgnoreCase`, lower-cased; or a test on the name), else a
 * test a field's text must pass that names a fixed text of 3+ characters (`userAgent|contains:
 * kali`, `$.errorCode = "AccessDenied*"`), else an eventSource hint, else another field's
 * values, else any other test on a field's text, else a field that must merely be present,
 * from `requiredValues`. Each indexed field has an exact and a lower-cased table and its
 * tests; the candidates of each distinct text are resolved once and remembered, so a record
 * costs one memo lookup per indexed field (by length and `===`: ./text-memo.ts) and no
 * `toLowerCase` allocation. A field
 * whose value is not text (an array, object or boolean: never from CloudTrail on these
 * fields) evaluates every rule indexed by it: the hints only promise something about text.
 */
export interface EvaluationPlan {
  readonly rules: readonly PlannedRule[];
  readonly always: readonly PlannedRule[];
  /** The fields rules are indexed by, eventName first. */
  readonly fields: readonly FieldIndex[];
  /** The rules indexed by eventName that can match a record with this eventName text. */
  candidates(eventName: string): readonly PlannedRule[];
}

export interface PlannedRule {
  readonly slot: number;
  readonly rule: CompiledRule;
  /**
   * What the engine calls: `rule.test`, or, in the eventName tables' lists, `rule.testNamed`
   * (without the eventName test the table lookup already proved), on a copy sharing `slot`.
   */
  readonly test: (record: unknown) => boolean;
  readonly groupBy?: FieldReader;
  readonly dedupKey?: readonly FieldReader[];
}

/** One indexed field: its shared slot, tables, and the candidates per text seen. */
export interface FieldIndex {
  readonly field: string;
  /** Every rule indexed by this field. */
  readonly rules: readonly PlannedRule[];
  /** The rules that can match a record whose field holds `value` (a `slotValue`). */
  forValue(value: unknown): readonly PlannedRule[];
  /** The rules that can match a record whose field has this text. */
  forText(text: string): readonly PlannedRule[];
}

export interface PlanOptions {
  /**
   * False evaluates every rule on every record, ignoring the hints: the reference the index
   * is tested against (same findings) and the "before" figure of `npm run bench:rules`.
   */
  readonly indexed?: boolean;
}

/**
 * Distinct texts per field whose candidate lists are remembered. CloudTrail has a few
 * thousand API names; past this bound (made-up names, hostile input, many user agents) the
 * memo starts again, so memory stays bounded and the answers stay right.
 */
const CANDIDATE_CACHE_SIZE = 8192;
const NONE: readonly PlannedRule[] = Object.freeze([]);

/**
 * A text test naming a fixed text this long is taken as narrower than an eventSource value
 * set: `*tool-7*` or `AccessDenied*` pass a handful of distinct texts, while `*a*` could pass
 * most user agents.
 */
const SELECTIVE_LITERAL = 3;

/** Where a rule goes: the hint the plan indexes it by, or undefined (every record). */
function chooseHint(rule: CompiledRule): (RequiredValues & { readonly byNameHint?: boolean }) | undefined {
  // The exact hint is the narrower one when a rule has both. `byNameHint`: the hint
  // `testNamed` is stated against (requiredValues on eventName are not).
  if (rule.eventNames !== undefined) return { field: 'eventName', values: rule.eventNames, byNameHint: true };
  if (rule.eventNamesIgnoreCase !== undefined) return { field: 'eventName', values: rule.eventNamesIgnoreCase, ignoreCase: true, byNameHint: true };
  const hints = rule.requiredValues ?? [];
  // eventName first (about a hundred texts in a trail, the narrowest), even as a test
  // (`eventName|startswith: Delete`); then a test on another field that names a fixed text
  // of SELECTIVE_LITERAL characters or more (`$.userAgent = "*tool-7*"`, `$.errorCode =
  // "AccessDenied*"`: few records pass, and the answer is remembered per text) before an
  // eventSource value set (a fifth of a trail can be ec2, and every one of those records
  // would run the rule); then other fields' values, other tests, presence.
  const rank = (h: RequiredValues): number => {
    const onName = h.field === 'eventName';
    if (h.values !== undefined) return onName ? 0 : h.field === 'eventSource' ? 2 : 3;
    if (h.matches === undefined) return 5;
    if (onName) return 1;
    return h.field !== 'eventSource' && (h.literal ?? 0) >= SELECTIVE_LITERAL ? 1.5 : 4;
  };
  let best: RequiredValues | undefined;
  for (const h of hints) if (best === undefined || rank(h) < rank(best)) best = h;
  return best;
}

export function planRules(rules: readonly CompiledRule[], options: PlanOptions = {}): EvaluationPlan {
  const planned: PlannedRule[] = rules.map((rule, slot) => ({
    slot,
    rule,
    test: rule.test,
    ...(rule.threshold?.groupBy === undefined ? {} : { groupBy: fieldReader(rule.threshold.groupBy) }),
    ...(rule.dedupKey === undefined ? {} : { dedupKey: rule.dedupKey.map(fieldReader) }),
  }));
  const always: PlannedRule[] = [];
  const byField = new Map<string, Tables>();
  const add = (index: Map<string, PlannedRule[]>, name: string, p: PlannedRule) => {
    const list = index.get(name);
    if (list) list.push(p);
    else index.set(name, [p]);
  };
  for (const p of planned) {
    // A rule goes into exactly one place, so no record evaluates it twice.
    const hint = options.indexed === false ? undefined : chooseHint(p.rule);
    if (hint === undefined) {
      always.push(p);
      continue;
    }
    let tables = byField.get(hint.field);
    if (tables === undefined) byField.set(hint.field, (tables = { exact: new Map(), folded: new Map(), present: [], tested: [], rules: [], named: false }));
    tables.rules.push(p);
    if (hint.values === undefined && hint.matches !== undefined) tables.tested.push({ p, matches: hint.matches });
    else if (hint.values === undefined) tables.present.push(p);
    else {
      // Filed by its eventName hint, the rule is handed only records whose eventName string
      // is one of the hint's texts: its `testNamed` skips the eventName test that proves again.
      // Only the tables get it; the records a table does not decide (`rules`: not text) run `test`.
      const reduced = p.rule.testNamed;
      const named = hint.byNameHint === true && reduced !== undefined && reduced.of === p.rule.test ? { ...p, test: reduced.test } : p;
      if (named !== p) tables.named = true;
      for (const value of hint.values) add(hint.ignoreCase === true ? tables.folded : tables.exact, value, named);
    }
  }
  // eventName first: most rules hang there, and its lookups are the ones remembered best
  const fields = [...byField.entries()]
    .sort(([a], [b]) => (a === 'eventName' ? -1 : b === 'eventName' ? 1 : 0))
    .map(([field, t]) => fieldIndex(field, t));
  const eventName = fields.find((f) => f.field === 'eventName');
  return { rules: planned, always, fields, candidates: (name) => (eventName === undefined ? NONE : eventName.forText(name)) };
}

interface Tables {
  readonly exact: Map<string, PlannedRule[]>;
  readonly folded: Map<string, PlannedRule[]>;
  /** Rules that only need the field to be there. */
  readonly present: PlannedRule[];
  /** Rules that need the field's text to pass a test (`contains`, wildcards, regexes): asked once per distinct text. */
  readonly tested: { readonly p: PlannedRule; readonly matches: (text: string) => boolean }[];
  readonly rules: PlannedRule[];
  /** Some table entries run `testNamed`, which holds only for string texts. */
  named: boolean;
}

function fieldIndex(field: string, { exact, folded, present, tested, rules, named }: Tables): FieldIndex {
  // looked up by length and `===`, not by hash: every record brings fresh strings (./text-memo.ts)
  const cache = new TextMemo<readonly PlannedRule[]>({ capacity: CANDIDATE_CACHE_SIZE });
  const lookups = exact.size > 0 || folded.size > 0 || tested.length > 0;
  const resolve = (text: string): readonly PlannedRule[] => {
    const byExact = exact.get(text);
    const byFolded = folded.size === 0 ? undefined : folded.get(text.toLowerCase());
    const passed = tested.filter((t) => t.matches(text)).map((t) => t.p);
    if (byExact === undefined && byFolded === undefined && passed.length === 0) return present.length === 0 ? NONE : present;
    // Evaluation order within a record does not matter: each rule keeps its own state and
    // `finish` lists findings in plan order.
    return [...(byExact ?? []), ...(byFolded ?? []), ...passed, ...present];
  };
  const forText = (text: string): readonly PlannedRule[] => {
    // a field only required to be present: the same rules whatever its text
    if (!lookups) return present;
    const known = cache.get(text);
    if (known !== undefined) return known;
    const list = resolve(text);
    // full, the memo starts again: the texts of the current files are remembered (user agents vary more than names)
    cache.set(text, list);
    return list;
  };
  const forValue = (value: unknown): readonly PlannedRule[] => {
    if (typeof value === 'string') return forText(value);
    if (value === MISSING || value === null) return NONE;
    // a number's text is what filter patterns and Sigma compare, but `tested` rules were asked about strings only
    // nor were `testNamed` tests stated for numbers: those rules all run their full `test`
    if (typeof value === 'number' && Number.isFinite(value) && tested.length === 0 && !named) return forText(String(value));
    // not text (an array, object, boolean, ±Infinity): the hints promise nothing, evaluate them all
    return rules;
  };
  return { field, rules, forValue, forText };
}

export interface RuleAnalyserOptions {
  /**
   * Findings listed per rule per delivery, for every kind of rule (single-event, dedupKey,
   * threshold). One noisy rule (every AccessDenied of a misconfigured workload, a threshold
   * grouped by source IP over a file of 100,000 addresses) must not grow memory or the
   * notification without bound; the matches past the limit are counted (`tallies()`).
   */
  readonly maxFindingsPerRule?: number;
}

export const DEFAULT_MAX_FINDINGS_PER_RULE = FINDING_LIMITS.perRule;
/** EventIDs listed on a finding that stands for several records (threshold, dedupKey). */
const SAMPLE_EVENT_IDS = 10;
/** Group value for records without the groupBy field: a string no field value can collide with. */
const NO_VALUE = '\u0000';

interface Accumulator {
  /** What the finding reads from the first record (`findingFacts`), kept while the finding may still be listed. */
  first: FindingFacts | undefined;
  /** Threshold rules: the group's text; undefined otherwise (always set: one object shape for every rule). */
  readonly group: string | undefined;
  count: number;
  eventIDs: string[];
  /** Threshold groups: `pending` below the count, then listed or only counted (over the cap). */
  state: 'pending' | 'listed' | 'counted';
}

interface RuleState {
  /**
   * By the key's part after the rule id (eventID, group, dedupKey values): a storm's
   * millions of matches look up the record's own eventID string instead of building
   * `${id}:${eventID}` for each (see `dedupKeyOf`).
   */
  readonly hits: Map<string, Accumulator>;
  /** Findings listed (single-event: every entry of `hits`; threshold: groups in state `listed`). */
  listed: number;
  /** Single-event rules: records matched in all. */
  events: number;
  /** Single-event rules: matching records past the cap, each counted as one finding not listed. */
  notListed: number;
}

/**
 * The rules as a pipeline Analyser for one S3 object: every record is evaluated against
 * every rule in the same pass as forwarding. Single-event rules give one finding per
 * distinct dedup key (by default the eventID: a record repeated in a file alerts once);
 * threshold rules count matches per group and give one finding per group that reaches
 * the count. Each rule lists at most `maxFindingsPerRule` findings, its first ones in file
 * order; `tallies()` counts them all.
 */
export function ruleAnalyser(pack: { readonly plan: EvaluationPlan }, ref: ObjectRef, options: RuleAnalyserOptions = {}): Analyser {
  return new RuleEvaluation(pack.plan, ref, options.maxFindingsPerRule ?? DEFAULT_MAX_FINDINGS_PER_RULE);
}

export class RuleEvaluation implements Analyser {
  private readonly states: RuleState[];
  private readonly fieldSlots: readonly number[];
  private factsRecord: unknown = undefined;
  private facts: FindingFacts | undefined = undefined;

  constructor(
    private readonly plan: EvaluationPlan,
    private readonly ref: ObjectRef,
    private readonly maxFindingsPerRule: number,
  ) {
    this.states = plan.rules.map(() => ({ hits: new Map(), listed: 0, events: 0, notListed: 0 }));
    this.fieldSlots = plan.fields.map((f) => fieldSlot(f.field));
  }

  observe(records: readonly TrailRecord[]): void {
    const always = this.plan.always;
    const fields = this.plan.fields;
    const nAlways = always.length;
    const nFields = fields.length;
    const slots = this.fieldSlots;
    try {
      for (let i = 0; i < records.length; i++) {
        const tr = records[i]!;
        const record = tr.record;
        // the rules read this record's fields through shared slots (./record-fields.ts)
        beginRecord(record);
        for (let k = 0; k < nAlways; k++) {
          const p = always[k]!;
          if (p.test(record)) this.hit(p, tr);
        }
        for (let f = 0; f < nFields; f++) {
          const candidates = fields[f]!.forValue(slotValue(record, slots[f]!));
          for (let k = 0; k < candidates.length; k++) {
            const p = candidates[k]!;
            if (p.test(record)) this.hit(p, tr);
          }
        }
      }
    } finally {
      endRecords();
      this.factsRecord = undefined;
      this.facts = undefined;
    }
  }

  finish(): Finding[] {
    const findings: Finding[] = [];
    for (const p of this.plan.rules) {
      const state = this.states[p.slot]!;
      const { rule } = p;
      const threshold = rule.threshold;
      for (const [key, acc] of state.hits) {
        if (threshold !== undefined && acc.state !== 'listed') continue;
        // most findings (single-event, one record) have no details: no object for them
        let details: Record<string, unknown> | undefined;
        if (threshold !== undefined) {
          details = { threshold: threshold.count };
          if (threshold.groupBy !== undefined) {
            details.groupBy = threshold.groupBy;
            details.groupValue = acc.group === NO_VALUE ? null : acc.group;
          }
        }
        if (acc.count > 1) (details ??= {}).eventIDs = acc.eventIDs;
        const dedupKey = this.dedupKeyOf(p, key);
        findings.push(findingFromFacts(rule, acc.first, this.ref, details === undefined ? { count: acc.count, dedupKey } : { count: acc.count, dedupKey, details }));
      }
    }
    return findings;
  }

  /** Per rule that matched: every record and finding, listed or over the cap. */
  tallies(): RuleTally[] {
    const tallies: RuleTally[] = [];
    for (const p of this.plan.rules) {
      const state = this.states[p.slot]!;
      const { id: ruleId, source, severity, title, threshold } = p.rule;
      let events = state.events;
      let findings = state.hits.size + state.notListed;
      if (threshold !== undefined) {
        events = 0;
        findings = 0;
        for (const acc of state.hits.values()) {
          if (acc.state === 'pending') continue;
          events += acc.count;
          findings++;
        }
      }
      if (findings > 0) tallies.push({ ruleId, source, severity, title, events, findings });
    }
    return tallies;
  }

  private hit(p: PlannedRule, tr: TrailRecord): void {
    const state = this.states[p.slot]!;
    const record = tr.record;
    const threshold = p.rule.threshold;
    let group: string | undefined;
    let key: string;
    if (threshold !== undefined) {
      group = p.groupBy === undefined ? '' : (keyText(p.groupBy(record)) ?? NO_VALUE);
      key = p.dedupKey === undefined ? group : this.customKey(p, record);
    } else if (p.dedupKey !== undefined) {
      key = this.customKey(p, record);
    } else {
      // Without an eventID (never seen, but any field may be absent) the record's place in
      // this file identifies it: the same file replayed gives the same key.
      key = typeof record.eventID === 'string' ? record.eventID : `${this.ref.key}#${tr.index}`;
    }
    state.events++;
    const acc = state.hits.get(key);
    if (acc !== undefined) {
      acc.count++;
      if (acc.state !== 'counted' && acc.eventIDs.length < SAMPLE_EVENT_IDS && typeof record.eventID === 'string') acc.eventIDs.push(record.eventID);
      if (threshold !== undefined && acc.state === 'pending' && acc.count >= threshold.count) this.reached(state, acc);
      return;
    }
    if (threshold === undefined) {
      // A match past the cap is counted, not remembered: a repeat of its eventID counts again.
      if (state.listed >= this.maxFindingsPerRule) {
        state.notListed++;
        return;
      }
      state.listed++;
    }
    // A threshold rule needs every group's count to know which reach it: groups are kept
    // (what their first record tells, while they may still be listed) until the file ends.
    const fresh: Accumulator = {
      first: this.factsOf(record),
      count: 1,
      eventIDs: typeof record.eventID === 'string' ? [record.eventID] : [],
      state: threshold === undefined ? 'listed' : 'pending',
      group,
    };
    state.hits.set(key, fresh);
    if (threshold !== undefined && fresh.count >= threshold.count) this.reached(state, fresh);
  }

  /**
   * What a finding keeps of its first record, read once per record whichever rules match it
   * (a noisy record matches several): the facts are never changed, so findings can share them.
   */
  private factsOf(record: unknown): FindingFacts | undefined {
    if (record !== this.factsRecord) {
      this.factsRecord = record;
      this.facts = findingFacts(record);
    }
    return this.facts;
  }

  /** A threshold group reached its count: listed while the rule is under its cap, else only counted. */
  private reached(state: RuleState, acc: Accumulator): void {
    if (state.listed < this.maxFindingsPerRule) {
      acc.state = 'listed';
      state.listed++;
      return;
    }
    acc.state = 'counted';
    acc.first = undefined;
    acc.eventIDs = [];
  }

  private customKey(p: PlannedRule, record: unknown): string {
    return (p.dedupKey ?? []).map((read) => keyText(read(record)) ?? '-').join(':');
  }

  /**
   * The finding's identity across deliveries: `${id}:${eventID}`, `${id}:${values…}` for
   * dedupKey fields, and `${id}:${group}:${object key}` for a threshold group (a count is
   * per delivery).
   */
  private dedupKeyOf(p: PlannedRule, key: string): string {
    return p.rule.threshold !== undefined && p.dedupKey === undefined ? `${p.rule.id}:${key}:${this.ref.key}` : `${p.rule.id}:${key}`;
  }
}

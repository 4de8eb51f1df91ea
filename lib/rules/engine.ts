import type { ObjectRef, TrailRecord } from '../cloudtrail/types';
import type { Finding } from '../findings';
import type { Analyser } from '../pipeline';
import { eventNameText } from './event-names';
import { type FieldReader, fieldReader, keyText } from './field-path';
import { findingFor } from './finding';
import type { CompiledRule } from './rule';

/**
 * How a set of rules is evaluated, prepared once per pack: rules whose pattern can only
 * match given event names sit in a Map by name, the rest are evaluated for every record.
 * A record thus costs one Map lookup plus the few rules that can match it, instead of
 * every rule in the pack.
 */
export interface EvaluationPlan {
  readonly rules: readonly PlannedRule[];
  readonly always: readonly PlannedRule[];
  readonly byEventName: ReadonlyMap<string, readonly PlannedRule[]>;
}

interface PlannedRule {
  readonly slot: number;
  readonly rule: CompiledRule;
  readonly groupBy?: FieldReader;
  readonly dedupKey?: readonly FieldReader[];
}

export function planRules(rules: readonly CompiledRule[]): EvaluationPlan {
  const planned: PlannedRule[] = rules.map((rule, slot) => ({
    slot,
    rule,
    ...(rule.threshold?.groupBy === undefined ? {} : { groupBy: fieldReader(rule.threshold.groupBy) }),
    ...(rule.dedupKey === undefined ? {} : { dedupKey: rule.dedupKey.map(fieldReader) }),
  }));
  const always: PlannedRule[] = [];
  const byEventName = new Map<string, PlannedRule[]>();
  for (const p of planned) {
    if (p.rule.eventNames === undefined) {
      always.push(p);
      continue;
    }
    for (const name of p.rule.eventNames) {
      const list = byEventName.get(name);
      if (list) list.push(p);
      else byEventName.set(name, [p]);
    }
  }
  return { rules: planned, always, byEventName };
}

export interface RuleAnalyserOptions {
  /**
   * Distinct findings kept per rule per delivery. One noisy rule (every AccessDenied of a
   * misconfigured workload) must not grow memory or the notification without bound; the
   * matches past the limit are counted on the rule's first finding (`details.notListed`).
   */
  readonly maxFindingsPerRule?: number;
}

export const DEFAULT_MAX_FINDINGS_PER_RULE = 500;
/** EventIDs listed on a finding that stands for several records (threshold, dedupKey). */
const SAMPLE_EVENT_IDS = 10;
/** Group value for records without the groupBy field: a string no field value can collide with. */
const NO_VALUE = '\u0000';

interface Accumulator {
  readonly first: unknown;
  readonly group?: string;
  count: number;
  readonly eventIDs: string[];
}

interface RuleState {
  readonly hits: Map<string, Accumulator>;
  notListed: number;
}

/**
 * The rules as a pipeline Analyser for one S3 object: every record is evaluated against
 * every rule in the same pass as forwarding. Single-event rules give one finding per
 * distinct dedup key (by default the eventID: a record repeated in a file alerts once);
 * threshold rules count matches per group and give one finding per group that reaches
 * the count.
 */
export function ruleAnalyser(pack: { readonly plan: EvaluationPlan }, ref: ObjectRef, options: RuleAnalyserOptions = {}): Analyser {
  return new RuleEvaluation(pack.plan, ref, options.maxFindingsPerRule ?? DEFAULT_MAX_FINDINGS_PER_RULE);
}

export class RuleEvaluation implements Analyser {
  private readonly states: RuleState[];

  constructor(
    private readonly plan: EvaluationPlan,
    private readonly ref: ObjectRef,
    private readonly maxFindingsPerRule: number,
  ) {
    this.states = plan.rules.map(() => ({ hits: new Map(), notListed: 0 }));
  }

  observe(records: readonly TrailRecord[]): void {
    const always = this.plan.always;
    const byEventName = this.plan.byEventName;
    const nAlways = always.length;
    for (let i = 0; i < records.length; i++) {
      const tr = records[i]!;
      const record = tr.record;
      for (let k = 0; k < nAlways; k++) {
        const p = always[k]!;
        if (p.rule.test(record)) this.hit(p, tr);
      }
      const name = eventNameText(record.eventName);
      if (name === undefined) continue;
      const candidates = byEventName.get(name);
      if (candidates === undefined) continue;
      for (let k = 0; k < candidates.length; k++) {
        const p = candidates[k]!;
        if (p.rule.test(record)) this.hit(p, tr);
      }
    }
  }

  finish(): Finding[] {
    const findings: Finding[] = [];
    for (const p of this.plan.rules) {
      const state = this.states[p.slot]!;
      const { rule } = p;
      const threshold = rule.threshold;
      let firstOfRule = true;
      for (const [key, acc] of state.hits) {
        if (threshold !== undefined && acc.count < threshold.count) continue;
        const details: Record<string, unknown> = {};
        if (threshold !== undefined) {
          details.threshold = threshold.count;
          if (threshold.groupBy !== undefined) {
            details.groupBy = threshold.groupBy;
            details.groupValue = acc.group === NO_VALUE ? null : acc.group;
          }
        }
        if (acc.count > 1) details.eventIDs = acc.eventIDs;
        if (firstOfRule && state.notListed > 0) details.notListed = state.notListed;
        firstOfRule = false;
        findings.push(
          findingFor(rule, acc.first, this.ref, {
            count: acc.count,
            dedupKey: key,
            ...(Object.keys(details).length > 0 ? { details } : {}),
          }),
        );
      }
    }
    return findings;
  }

  private hit(p: PlannedRule, tr: TrailRecord): void {
    const state = this.states[p.slot]!;
    const record = tr.record;
    let group: string | undefined;
    let key: string;
    if (p.rule.threshold !== undefined) {
      group = p.groupBy === undefined ? '' : (keyText(p.groupBy(record)) ?? NO_VALUE);
      key = p.dedupKey === undefined ? `${p.rule.id}:${group}:${this.ref.key}` : this.customKey(p, record);
    } else if (p.dedupKey !== undefined) {
      key = this.customKey(p, record);
    } else {
      // Without an eventID (never seen, but any field may be absent) the record's place in
      // this file identifies it: the same file replayed gives the same key.
      const eventID = typeof record.eventID === 'string' ? record.eventID : `${this.ref.key}#${tr.index}`;
      key = `${p.rule.id}:${eventID}`;
    }
    const acc = state.hits.get(key);
    if (acc !== undefined) {
      acc.count++;
      if (acc.eventIDs.length < SAMPLE_EVENT_IDS && typeof record.eventID === 'string') acc.eventIDs.push(record.eventID);
      return;
    }
    // A threshold rule's groups are all needed to know which reach the count; only
    // single-event findings are capped.
    if (p.rule.threshold === undefined && state.hits.size >= this.maxFindingsPerRule) {
      state.notListed++;
      return;
    }
    state.hits.set(key, {
      first: record,
      count: 1,
      eventIDs: typeof record.eventID === 'string' ? [record.eventID] : [],
      ...(group === undefined ? {} : { group }),
    });
  }

  private customKey(p: PlannedRule, record: unknown): string {
    return `${p.rule.id}:${(p.dedupKey ?? []).map((read) => keyText(read(record)) ?? '-').join(':')}`;
  }
}

import type { ObjectRef, TrailRecord } from '../../cloudtrail/types';
import type { Finding, RuleTally } from '../../findings';
import type { Analyser } from '../../pipeline';
import { DEFAULT_MAX_FINDINGS_PER_RULE, planRules, RuleEvaluation, ruleAnalyser, type EvaluationPlan, type RuleAnalyserOptions } from '../engine';
import { findingFromFacts } from '../finding';
import type { CompiledRule } from '../rule';
import type { CompiledException } from './compile';

/**
 * What one exception suppressed in one delivery: matches (records) a rule matched and the
 * exception removed before counting, so a threshold rule's suppressed records do not count
 * towards its threshold either.
 */
export interface SuppressionCount {
  readonly exception: string;
  readonly rule: string;
  readonly owner: string;
  readonly expires: string;
  readonly matches: number;
}

/** The per-delivery side of the exceptions: set by the analyser around `observe`. */
interface DeliveryState {
  /** By exception index: still in force for this delivery. */
  readonly active: readonly boolean[];
  /** By exception index, then rule id: matches suppressed (active) or that it would have suppressed (expired). */
  readonly counts: Map<string, number>[];
}

/**
 * The pack's exceptions, prepared once: the rules that have any exception wrapped so that a
 * match is first checked against them. The wrapped rules live in their own plan, used only
 * by `exceptionAnalyser`, which counts what they suppress; `pack.plan` stays as it was, so
 * nothing evaluating it directly can suppress a match without counting it.
 */
export interface ExceptionSet {
  readonly exceptions: readonly CompiledException[];
  readonly plan: EvaluationPlan;
  /** Set while an exceptions analyser's `observe` runs (synchronous: deliveries cannot interleave inside it). */
  current: DeliveryState | undefined;
}

export function prepareExceptions(exceptions: readonly CompiledException[], rules: readonly CompiledRule[]): ExceptionSet {
  const set: ExceptionSet = { exceptions, plan: planRules([]), current: undefined };
  const wrapped = rules.map((rule) => {
    // per-rule exceptions first, then global ones, each in load order: the first one in force that matches takes the count
    const applicable: number[] = [];
    exceptions.forEach((e, i) => e.rule === rule.id && applicable.push(i));
    exceptions.forEach((e, i) => e.rule === '*' && applicable.push(i));
    if (applicable.length === 0) return rule;
    const test = rule.test;
    const excepted = (record: unknown): boolean => {
      const delivery = set.current;
      if (delivery === undefined) return false;
      for (const i of applicable) {
        if (!exceptions[i]!.test(record)) continue;
        const counts = delivery.counts[i]!;
        counts.set(rule.id, (counts.get(rule.id) ?? 0) + 1);
        // an expired exception is counted (what it would have suppressed) and the match goes on
        if (delivery.active[i]) return true;
      }
      return false;
    };
    // the exceptions run only on a record the rule matched: their cost is per match, not per record
    const wrappedTest = (record: unknown) => test(record) && !excepted(record);
    // the eventName index's shortcut (`testNamed`) keeps working, with the same exceptions after it
    const named = rule.testNamed?.of === test ? rule.testNamed.test : undefined;
    return named === undefined
      ? { ...rule, test: wrappedTest }
      : { ...rule, test: wrappedTest, testNamed: { of: wrappedTest, test: (record: unknown) => named(record) && !excepted(record) } };
  });
  return Object.assign(set, { plan: planRules(wrapped) });
}

/** An Analyser with `suppressions()`: what the pipeline puts in the delivery report. */
export interface SuppressingAnalyser extends Analyser {
  suppressions(): SuppressionCount[];
}

export interface ExceptionAnalyserOptions extends RuleAnalyserOptions {
  /** The delivery's clock, for expiry (default Date.now). */
  readonly now?: () => number;
}

/**
 * The pack as a pipeline Analyser with its exceptions applied: `ruleAnalyser` itself when the
 * pack has none. Each exception past its `expires` date stops suppressing and gives one LOW
 * `exception-expired` finding in every delivery (its dedupKey is the exception's, so the
 * notifier's de-duplication keeps it to one alert per de-dup window), never silence.
 */
export function exceptionAnalyser(
  pack: { readonly plan: EvaluationPlan; readonly exceptions?: ExceptionSet },
  ref: ObjectRef,
  options: ExceptionAnalyserOptions = {},
): Analyser {
  const set = pack.exceptions;
  if (set === undefined || set.exceptions.length === 0) return ruleAnalyser(pack, ref, options);
  return new ExceptionEvaluation(set, ref, options);
}

class ExceptionEvaluation implements SuppressingAnalyser {
  private readonly inner: RuleEvaluation;
  private readonly delivery: DeliveryState;

  constructor(
    private readonly set: ExceptionSet,
    private readonly ref: ObjectRef,
    options: ExceptionAnalyserOptions,
  ) {
    this.inner = new RuleEvaluation(set.plan, ref, options.maxFindingsPerRule ?? DEFAULT_MAX_FINDINGS_PER_RULE);
    const now = (options.now ?? Date.now)();
    this.delivery = { active: set.exceptions.map((e) => now < e.expiresAt), counts: set.exceptions.map(() => new Map()) };
  }

  observe(records: readonly TrailRecord[]): void {
    this.set.current = this.delivery;
    try {
      this.inner.observe(records);
    } finally {
      this.set.current = undefined;
    }
  }

  finish(): Finding[] {
    const findings = this.inner.finish();
    this.set.exceptions.forEach((e, i) => {
      if (this.delivery.active[i]) return;
      const would = [...this.delivery.counts[i]!.values()].reduce((a, b) => a + b, 0);
      findings.push(findingFromFacts(expiredRule(e), undefined, this.ref, { count: 1, dedupKey: `exception-expired:${e.id}`, details: { exception: e.id, rule: e.rule, owner: e.owner, expires: e.expires, file: e.file, wouldHaveSuppressed: would } }));
    });
    return findings;
  }

  tallies(): RuleTally[] {
    // the exception-expired findings are all listed: the pipeline counts them from `finish`
    return this.inner.tallies();
  }

  suppressions(): SuppressionCount[] {
    const out: SuppressionCount[] = [];
    this.set.exceptions.forEach((e, i) => {
      if (!this.delivery.active[i]) return;
      for (const [rule, matches] of this.delivery.counts[i]!) out.push({ exception: e.id, rule, owner: e.owner, expires: e.expires, matches });
    });
    return out;
  }
}

/** The stand-in rule behind an `exception-expired` finding. */
function expiredRule(e: CompiledException): CompiledRule {
  const scope = e.rule === '*' ? 'every rule' : `rule ${e.rule}`;
  return {
    id: 'exception-expired',
    title: `Exception ${e.id} (${scope}) expired on ${e.expires}: its matches alert again`,
    severity: 'LOW',
    source: 'rule',
    description: `The exception ${e.id} in ${e.file}, owned by ${e.owner}, expired on ${e.expires}. It was granted because: ${e.reason}\nIt no longer suppresses anything; details.wouldHaveSuppressed counts the matches in this delivery it would have suppressed.`,
    runbook: `Ask ${e.owner} whether the exception is still needed. Renew it (a new expires date) or delete it from ${e.file}; this finding repeats while the file is loaded.`,
    references: [],
    file: e.file,
    expression: e.expression,
    test: () => false,
  };
}

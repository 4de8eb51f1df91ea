import type { Finding, Severity } from '../findings';
import type { TestCase } from './schema';

/**
 * A rule ready to evaluate, whatever format it came from (a trailwatch rule file, or a
 * Sigma rule through its front end): metadata for the finding, and a predicate compiled
 * once. The engine needs nothing else.
 */
export interface CompiledRule {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly source: Finding['source'];
  readonly description: string;
  readonly runbook?: string;
  readonly references: readonly string[];
  /** Where it was loaded from, for messages. */
  readonly file: string;
  /** The expression as evaluated (a filter pattern after `${PARAM}` expansion). */
  readonly expression: string;
  /** True if a parsed CloudTrail record matches. Must never throw. */
  readonly test: (record: unknown) => boolean;
  /**
   * Index hint, only when proven from the expression: `test` can be true only for records
   * whose `eventName` (a string, or a number as its text) is in this set. The engine then
   * skips the rule for every other record.
   */
  readonly eventNames?: ReadonlySet<string>;
  /**
   * Like `eventNames`, for case-insensitive matching (Sigma's default): `test` can be true
   * only for records whose eventName text, lower-cased with `toLowerCase()`, is in this set
   * (whose entries are lower-cased). Used when `eventNames` is absent.
   */
  readonly eventNamesIgnoreCase?: ReadonlySet<string>;
  /**
   * `test` for the records the eventName index hands the rule: called only with a record
   * whose eventName is a string in `eventNames` (or, without `eventNames`, whose
   * `toLowerCase()` is in `eventNamesIgnoreCase`), and for those it must answer as `test`
   * does. Front ends give it when `test` is a conjunction one of whose conjuncts is an
   * eventName test that every such record passes: that conjunct is left out, since the index
   * lookup already proved it. Absent: the engine calls `test`.
   *
   * It stands for `of` only: the engine uses it while `of` is this rule's `test`, so a copy of
   * the rule with another `test` (`{ ...rule, test }`, as exceptions and tests make) falls back
   * to its `test` instead of running a predicate that no longer says the same.
   */
  readonly testNamed?: { readonly of: (record: unknown) => boolean; readonly test: (record: unknown) => boolean };
  /**
   * More index hints, on any field (`eventSource`, `userIdentity.type`, `errorCode`, and
   * `eventName` too), each proven from the expression: `test` can be true only if every
   * entry holds (see `RequiredValues`). The engine indexes a rule by one of them.
   */
  readonly requiredValues?: readonly RequiredValues[];
  readonly threshold?: { readonly count: number; readonly groupBy?: string };
  readonly dedupKey?: readonly string[];
}

/**
 * "The record's `field` has a value, and if that value is text, it is one of `values`": what
 * an index needs to skip a rule. `field` is a dotted path of plain keys, read through objects
 * by own properties. The promise is about text only — a string, or a finite number as
 * JavaScript writes it — so a front end whose matching also sees into arrays, objects or
 * booleans (Sigma) can state it too: for such values the engine evaluates the rule anyway.
 * A field that is missing or null never lets the rule match.
 */
export interface RequiredValues {
  readonly field: string;
  /** The texts allowed; absent: any text (the field must only be there). */
  readonly values?: ReadonlySet<string>;
  /** `values` are lower-cased (`toLowerCase()`), and so is the record's text before the lookup. */
  readonly ignoreCase?: boolean;
  /**
   * Without `values`: when the field holds a string, the rule can match only if this test
   * holds for it (`userAgent|contains: kali`). Pure; the engine remembers its answer per text.
   */
  readonly matches?: (text: string) => boolean;
  /**
   * With `matches`: every text that passes contains at least this many fixed characters
   * (`$.userAgent = "*tool-7*"`: 6). The engine prefers such a test to an eventSource value
   * set when choosing where to file the rule (./engine.ts, `chooseHint`). Absent: unknown.
   */
  readonly literal?: number;
}

export type RuleStatus = 'active' | 'disabled' | 'inactive';

/** Every rule the loader found, including those not evaluated, with why not. */
export interface RuleEntry {
  readonly id: string;
  readonly file: string;
  /** `trailwatch` for rule files, or the front end's name (e.g. `sigma`). */
  readonly format: string;
  readonly status: RuleStatus;
  /** Why disabled or inactive. */
  readonly statusReason?: string;
  /** Compiled with the configured parameters; absent when inactive (a parameter has no value). */
  readonly rule?: CompiledRule;
  /** The rule's own tests, and the rule compiled with the tests' parameters. */
  readonly tests?: { readonly rule: CompiledRule; readonly match: readonly TestCase[]; readonly noMatch: readonly TestCase[] };
}

/** A rule file a front end recognised but cannot evaluate faithfully (e.g. an unsupported Sigma modifier). */
export interface RefusedRule {
  readonly file: string;
  readonly format: string;
  readonly reason: string;
}

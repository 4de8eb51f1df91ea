import { type FilterExpression, parseFilterPattern } from './filter-pattern';
import { compileExpression } from './filter-pattern/compile';
import type { CompiledRule, RequiredValues } from './rule';

/**
 * The event names a filter pattern can match, when the pattern itself guarantees it, so the
 * engine evaluates a rule only for records with one of those names. Sound by construction:
 *
 * - `$.eventName = Name` (exact text, no `*`, not a number or regex) is true only when the
 *   record's eventName, as text (a string, or a finite number's JavaScript text: how the
 *   compiler compares), equals `Name`: the set {Name}.
 * - `a && b` is true only if both are: any operand's set holds; we take the intersection.
 * - `a || b` is true only if one is: the union, and only when *every* operand has a set.
 * - anything else (`!=`, wildcards, `NOT EXISTS`, other fields) guarantees nothing.
 *
 * Returns undefined when no such set exists; the rule is then evaluated for every record.
 */
export function requiredEventNames(expression: FilterExpression): ReadonlySet<string> | undefined {
  switch (expression.kind) {
    case 'compare': {
      const { selector, operator, value } = expression;
      const onEventName = selector.steps.length === 1 && selector.steps[0]?.kind === 'key' && selector.steps[0].key === 'eventName';
      if (!onEventName || operator !== '=' || value.kind !== 'glob' || value.leadingStar || value.trailingStar) return undefined;
      return new Set([value.text]);
    }
    case 'and': {
      let names: Set<string> | undefined;
      for (const operand of expression.operands) {
        const own = requiredEventNames(operand);
        if (own === undefined) continue;
        names = names === undefined ? new Set(own) : new Set([...names].filter((n) => own.has(n)));
      }
      return names;
    }
    case 'or': {
      const names = new Set<string>();
      for (const operand of expression.operands) {
        const own = requiredEventNames(operand);
        if (own === undefined) return undefined;
        for (const n of own) names.add(n);
      }
      return names;
    }
    default:
      return undefined;
  }
}

/**
 * The names an expression accepts when it is *exactly* "the record's eventName string is one
 * of these" (for string eventNames): `$.eventName = Name` (no `*`), or an OR of such tests.
 * Unlike `requiredEventNames`, which only promises a superset, this is an equivalence; any
 * other shape gives undefined.
 */
function eventNameTestNames(e: FilterExpression): ReadonlySet<string> | undefined {
  // On compares and ORs alone, `requiredEventNames`' set is exact: each compare gives its one
  // name or nothing, an OR the union only when every operand gives one. An AND makes it a superset.
  const comparesAndOrs = (x: FilterExpression): boolean => x.kind === 'compare' || (x.kind === 'or' && x.operands.every(comparesAndOrs));
  return comparesAndOrs(e) ? requiredEventNames(e) : undefined;
}

/**
 * The expression for records whose eventName is a string in `names` (what the engine's
 * exact eventName index proves of the records it hands the rule): a top-level conjunction
 * (`a && b && …`, nested ANDs flattened) without one eventName conjunct that accepts every
 * name in `names`, which every such record passes. `{ rest: undefined }`: nothing is left
 * (the pattern was only that test). Undefined when no conjunct is provably implied (an OR at
 * the top, a wildcard, a conjunct that leaves out one of `names`): the full test stays.
 */
export function withoutProvenEventName(expression: FilterExpression, names: ReadonlySet<string>): { rest: FilterExpression | undefined } | undefined {
  const conjuncts: FilterExpression[] = [];
  const flatten = (e: FilterExpression): void => {
    if (e.kind === 'and') e.operands.forEach(flatten);
    else conjuncts.push(e);
  };
  flatten(expression);
  const proven = conjuncts.findIndex((c) => {
    const accepted = eventNameTestNames(c);
    return accepted !== undefined && [...names].every((n) => accepted.has(n));
  });
  if (proven < 0) return undefined;
  const rest = conjuncts.filter((_, i) => i !== proven);
  if (rest.length === 0) return { rest: undefined };
  return { rest: rest.length === 1 ? rest[0]! : { kind: 'and', operands: rest } };
}

/**
 * The pattern compiled for the records the exact eventName index hands a rule filed by
 * `eventNames` (`CompiledRule.testNamed`'s predicate): without the eventName conjunct that
 * `withoutProvenEventName` finds implied; undefined when none is.
 */
export function namedPatternTest(expression: FilterExpression, eventNames: ReadonlySet<string>, source: string): ((record: unknown) => boolean) | undefined {
  const reduced = withoutProvenEventName(expression, eventNames);
  if (reduced === undefined) return undefined;
  return reduced.rest === undefined ? () => true : compileExpression(reduced.rest, source);
}

/** The text the compiler compares an eventName as: strings as they are, finite numbers as JavaScript text. */
export function eventNameText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * What an expression requires of one field, for the index (`RequiredValues`): text among
 * exact `values`, among lower-cased `values` (`ignoreCase`), or any value at all (`values`
 * absent). The algebra below is shared by the filter-pattern and Sigma front ends.
 */
export interface Requirement {
  readonly values?: ReadonlySet<string>;
  readonly ignoreCase: boolean;
  /** Without `values`: a string value must pass this test (e.g. `userAgent|contains: kali`). */
  readonly matches?: (text: string) => boolean;
  /** With `matches`: every text that passes contains this many fixed characters (`*tool-7*`: 6); absent when unknown (a regex). */
  readonly literal?: number;
}

/** Per field path: what every match needs. */
export type Requirements = Map<string, Requirement>;

const ANY: Requirement = Object.freeze({ ignoreCase: false });

function accepts(r: Requirement, text: string): boolean {
  if (r.values !== undefined) return r.values.has(r.ignoreCase ? text.toLowerCase() : text);
  return r.matches === undefined || r.matches(text);
}

/** Both hold: the narrower of the two (an exact set filtered by a lower-cased one stays exact; a set before a test). */
function both(a: Requirement, b: Requirement): Requirement {
  if (a.values === undefined && b.values === undefined) {
    const [x, y] = [a.matches, b.matches];
    if (x === undefined) return b;
    if (y === undefined) return a;
    // both tests hold: the longer fixed text is in every passing text
    const literal = Math.max(a.literal ?? 0, b.literal ?? 0);
    return { ignoreCase: false, matches: (t) => x(t) && y(t), ...(literal > 0 ? { literal } : {}) };
  }
  if (a.values === undefined) return b;
  if (b.values === undefined) return a;
  if (a.ignoreCase === b.ignoreCase) {
    const other = b.values;
    return { values: new Set([...a.values].filter((v) => other.has(v))), ignoreCase: a.ignoreCase };
  }
  const [exact, folded] = a.ignoreCase ? [b, a] : [a, b];
  const lower = folded.values!;
  return { values: new Set([...exact.values!].filter((v) => lower.has(v.toLowerCase()))), ignoreCase: false };
}

/** One or the other: the union (exact texts lower-cased when mixed with lower-cased ones: a superset, still sound). */
function either(a: Requirement, b: Requirement): Requirement {
  if (a.values !== undefined && b.values !== undefined) {
    if (a.ignoreCase === b.ignoreCase) return { values: new Set([...a.values, ...b.values]), ignoreCase: a.ignoreCase };
    const lower = (r: Requirement) => (r.ignoreCase ? [...r.values!] : [...r.values!].map((v) => v.toLowerCase()));
    return { values: new Set([...lower(a), ...lower(b)]), ignoreCase: true };
  }
  const unrestricted = (r: Requirement) => r.values === undefined && r.matches === undefined;
  if (unrestricted(a) || unrestricted(b)) return ANY;
  // either test: only the shorter fixed text is promised, and only when both tests state one
  const literal = a.values === undefined && b.values === undefined && a.literal !== undefined && b.literal !== undefined ? Math.min(a.literal, b.literal) : undefined;
  return { ignoreCase: false, matches: (t) => accepts(a, t) || accepts(b, t), ...(literal === undefined ? {} : { literal }) };
}

/**
 * A test on a field's text from a predicate on records: the predicate on a record that has
 * only that field, holding the text. Exact for any predicate that reads nothing else.
 */
export function textTestOf(field: string, test: (record: unknown) => boolean): (text: string) => boolean {
  const keys = field.split('.');
  return (text) => {
    let value: unknown = text;
    for (let k = keys.length - 1; k >= 0; k--) {
      const node = {};
      // defineProperty: a key such as `__proto__` stays data
      Object.defineProperty(node, keys[k]!, { value, enumerable: true, writable: true, configurable: true });
      value = node;
    }
    return test(value);
  };
}

/** AND: every operand's requirements hold, field by field. */
export function allRequirements(operands: readonly Requirements[]): Requirements {
  const out: Requirements = new Map();
  for (const own of operands) {
    for (const [field, req] of own) {
      const known = out.get(field);
      out.set(field, known === undefined ? req : both(known, req));
    }
  }
  return out;
}

/** OR: only the fields every operand requires, with the union of what they allow. */
export function anyRequirements(operands: readonly Requirements[]): Requirements {
  const out: Requirements = new Map();
  if (operands.length === 0) return out;
  const [first, ...rest] = operands;
  for (const [field, req] of first!) {
    let merged: Requirement | undefined = req;
    for (const own of rest) {
      const other = own.get(field);
      merged = other === undefined ? undefined : either(merged, other);
      if (merged === undefined) break;
    }
    if (merged !== undefined) out.set(field, merged);
  }
  return out;
}

/** As the rule states them; an empty list is undefined. */
export function toRequiredValues(requirements: Requirements): readonly RequiredValues[] | undefined {
  const list: RequiredValues[] = [];
  for (const [field, req] of requirements) {
    list.push(
      Object.freeze({
        field,
        ...(req.values === undefined ? {} : { values: req.values }),
        ...(req.ignoreCase ? { ignoreCase: true } : {}),
        ...(req.values === undefined && req.matches !== undefined ? { matches: req.matches, ...(req.literal === undefined ? {} : { literal: req.literal }) } : {}),
      }),
    );
  }
  return list.length === 0 ? undefined : Object.freeze(list);
}

/**
 * The fields a filter pattern needs, per plain path (keys only, no `[n]` or `*`), sound by
 * the compiler's semantics (./filter-pattern/compile.ts):
 *
 * - `$.p = "text"` (no `*`) is true only for the text `text`: the set {text};
 * - `= "pre*"`, `= "*part*"`, `= %regex%` are true only for texts that pass that comparison:
 *   the comparison itself, asked of the text alone (the engine remembers it per text);
 * - `!=` and numeric comparisons are true only when the node is a string or a number: the
 *   field must be there;
 * - `IS TRUE/FALSE/NULL` and `NOT EXISTS` require no text, so nothing;
 * - AND: every operand's requirements; OR: the fields all operands require, united.
 */
export function requiredFieldValues(expression: FilterExpression): Requirements {
  switch (expression.kind) {
    case 'compare': {
      const { selector, operator, value } = expression;
      const keys = selector.steps.map((s) => (s.kind === 'key' ? s.key : undefined));
      // a dotted path names the field for the index: keys with a dot or `[n]`/`*` steps are left out
      if (keys.some((k) => k === undefined || k === '' || k.includes('.'))) return new Map();
      const field = keys.join('.');
      const exact = operator === '=' && value.kind === 'glob' && !value.leadingStar && !value.trailingStar;
      if (exact) return new Map([[field, { values: new Set([value.text]), ignoreCase: false }]]);
      // `= "*tool*"`, `= %regex%`: the comparison itself, on the text alone (a few texts pass);
      // `!=` and numbers: only "present" (most texts pass: the index would gain nothing)
      if (operator !== '=' || value.kind === 'number') return new Map([[field, ANY]]);
      const matches = textTestOf(field, compileExpression(expression));
      // a glob's fixed text is in every text that passes it; a regex states nothing
      return new Map([[field, { ignoreCase: false, matches, ...(value.kind === 'glob' ? { literal: value.text.length } : {}) }]]);
    }
    case 'and':
      return allRequirements(expression.operands.map(requiredFieldValues));
    case 'or':
      return anyRequirements(expression.operands.map(requiredFieldValues));
    default:
      return new Map();
  }
}

/**
 * The field hints of a parsed filter pattern (`requiredValues`: `$.eventSource =
 * "iam.amazonaws.com"`, `$.userIdentity.type = "Root"`, `$.errorCode = "AccessDenied*"`),
 * for the rule it compiles to. A `where:` clause only narrows the pattern, so the hints stay
 * sound for a rule with one. lib/rules/rule-file.ts adds them to a rule file's configured
 * rule from the expression it has parsed already.
 */
export function filterPatternHints(expression: FilterExpression): readonly RequiredValues[] | undefined {
  return toRequiredValues(requiredFieldValues(expression));
}

/**
 * A rule built from a filter pattern outside a rule file (tests, bench/synthetic-rules.ts)
 * with the hints a rule file's rule gets (`filterPatternHints`, and `testNamed` when it has
 * `eventNames`), its pattern parsed again. The rule's `test` must be its pattern's, as
 * `compileFilterPattern` gives it (no `where`): `testNamed` is that pattern less a conjunct.
 */
export function withFilterPatternHints<E extends { readonly rule?: CompiledRule }>(entry: E): E {
  const rule = entry.rule;
  if (rule === undefined || rule.source !== 'rule' || rule.requiredValues !== undefined) return entry;
  let requiredValues: readonly RequiredValues[] | undefined;
  let named: ((record: unknown) => boolean) | undefined;
  try {
    const expression = parseFilterPattern(rule.expression);
    requiredValues = filterPatternHints(expression);
    named = rule.eventNames === undefined || rule.testNamed !== undefined ? undefined : namedPatternTest(expression, rule.eventNames, rule.expression);
  } catch {
    return entry;
  }
  if (requiredValues === undefined && named === undefined) return entry;
  return {
    ...entry,
    rule: Object.freeze({
      ...rule,
      ...(requiredValues === undefined ? {} : { requiredValues }),
      ...(named === undefined ? {} : { testNamed: Object.freeze({ of: rule.test, test: named }) }),
    }),
  };
}

import type { ComparisonValue, FilterExpression, GlobValue, NumericOperator, Selector } from './ast';
import { FilterPatternError } from './errors';
import { parseFilterPattern } from './parser';
import { ARRAY_ON_PATH, fieldSlot, MISSING as SLOT_MISSING, slotValue } from '../record-fields';
import { compileRegex } from './regex';

/** True if a log record (a JSON value, as `JSON.parse` returns it) matches. Never throws. */
export type Predicate = (record: unknown) => boolean;

export interface CompiledPattern {
  readonly source: string;
  readonly test: Predicate;
  /** The JSON paths it reads, without `$.`: e.g. `['eventName', 'userIdentity.type']`. */
  readonly fields: readonly string[];
}

export interface CompileOptions {
  /**
   * Fold `$.p = "a" || $.p = "b" || …` into one lookup in a Set (CIS patterns 4–14 are
   * lists of up to 16 event names). On by default; off only to test that it changes nothing.
   */
  readonly mergeEqualities?: boolean;
  /**
   * Comparisons on a plain path (`$.a.b`, the shape of nearly every CloudTrail pattern) read
   * the record through the slots every rule shares within a record (../record-fields.ts), with
   * the common value tests unrolled into one closure. On by default; off only to test that
   * it changes nothing (the general selector walk is the reference).
   */
  readonly fastPaths?: boolean;
}

/**
 * Compiles a CloudWatch Logs JSON filter pattern into a predicate, once: paths, wildcards
 * and regexes are prepared here, so evaluation only walks the record. Throws
 * `FilterPatternError` for anything CloudWatch would refuse or trailwatch cannot evaluate
 * exactly as CloudWatch does (see README.md in this folder).
 */
export function compileFilterPattern(source: string, options: CompileOptions = {}): CompiledPattern {
  if (typeof source !== 'string') {
    throw new FilterPatternError('UnsupportedPatternType', 0, String(source), 'a filter pattern must be a string');
  }
  const expression = parseFilterPattern(source);
  return Object.freeze({
    source,
    test: compileExpression(expression, source, options),
    fields: Object.freeze(fieldsOf(expression)),
  });
}

/** The selector paths an expression reads, in order of first appearance. */
export function fieldsOf(expression: FilterExpression): string[] {
  const seen = new Set<string>();
  const visit = (e: FilterExpression): void => {
    if ('operands' in e) e.operands.forEach(visit);
    else seen.add(e.selector.path);
  };
  visit(expression);
  return [...seen];
}

/**
 * Turns a parsed expression into a closure tree. `source` is the pattern text the
 * expression came from (regex errors point into it; the parser has already checked them).
 */
export function compileExpression(expression: FilterExpression, source = '', options: CompileOptions = {}): Predicate {
  const merge = options.mergeEqualities ?? true;
  const fast = options.fastPaths ?? true;
  const selects = fast ? selectsFast : selectsWalk;

  const node = (e: FilterExpression): Predicate => {
    switch (e.kind) {
      case 'and':
        return allOf(e.operands.map(node));
      case 'or':
        return anyOf(merge ? mergeEqualities(e.operands, node, selects) : e.operands.map(node));
      case 'compare':
        return (fast ? fastCompare(e.selector, e.operator, e.value) : undefined) ?? selects(e.selector, valueTest(e.operator, e.value, source));
      case 'is': {
        const expected = e.expected;
        return selects(e.selector, (v) => v === expected);
      }
      case 'notExists': {
        const exists = selects(e.selector, () => true);
        return (record) => !exists(record);
      }
    }
  };
  return node(expression);
}

function allOf(predicates: readonly Predicate[]): Predicate {
  const n = predicates.length;
  return (record) => {
    for (let i = 0; i < n; i++) if (!predicates[i]!(record)) return false;
    return true;
  };
}

function anyOf(predicates: readonly Predicate[]): Predicate {
  if (predicates.length === 1) return predicates[0]!;
  const n = predicates.length;
  return (record) => {
    for (let i = 0; i < n; i++) if (predicates[i]!(record)) return true;
    return false;
  };
}

/** An exact string equality on a plain path: the kind of operand we can fold into a Set. */
function foldable(e: FilterExpression): e is Extract<FilterExpression, { kind: 'compare' }> & { value: GlobValue } {
  return (
    e.kind === 'compare' &&
    e.operator === '=' &&
    e.value.kind === 'glob' &&
    !e.value.leadingStar &&
    !e.value.trailingStar &&
    !e.selector.steps.some((s) => s.kind === 'any')
  );
}

/**
 * OR operands, with exact equalities on one path folded into one Set lookup at the place of
 * the first. OR has no side effects, so the order of operands changes nothing but speed.
 */
function mergeEqualities(operands: readonly FilterExpression[], node: (e: FilterExpression) => Predicate, selects: (selector: Selector, test: ValueTest) => Predicate): Predicate[] {
  const groups = new Map<string, { selector: Selector; texts: Set<string>; slot: number; first: FilterExpression }>();
  const slots: (Predicate | undefined)[] = [];
  for (const e of operands) {
    if (!foldable(e)) {
      slots.push(node(e));
      continue;
    }
    const group = groups.get(e.selector.path);
    if (group) {
      group.texts.add(e.value.text);
    } else {
      groups.set(e.selector.path, { selector: e.selector, texts: new Set([e.value.text]), slot: slots.length, first: e });
      slots.push(undefined);
    }
  }
  for (const g of groups.values()) {
    const texts = g.texts;
    slots[g.slot] = texts.size === 1 ? node(g.first) : selects(g.selector, (v) => {
      const text = textOf(v);
      return text !== undefined && texts.has(text);
    });
  }
  return slots as Predicate[];
}

// ---- values -----------------------------------------------------------------------------

/**
 * The text a string comparison sees. AWS: "Value nodes can be strings or numbers"; a
 * selector on an object or array never matches, with `=` or `!=`. Numbers are compared by
 * their JavaScript text (the original JSON spelling, e.g. `1.0`, is gone after parsing).
 * Booleans and null are reached only by IS TRUE / IS FALSE / IS NULL.
 */
function textOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** "Strings don't support scientific notation": a string is a number only as a plain decimal. */
const DECIMAL_STRING = /^[+-]?\d+(?:\.\d+)?$/;

/** The number a numeric comparison sees, or NaN when the node is not comparable. */
function numberOf(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : NaN;
  if (typeof v === 'string' && DECIMAL_STRING.test(v)) return Number(v);
  return NaN;
}

type ValueTest = (v: unknown) => boolean;

function valueTest(operator: NumericOperator, value: ComparisonValue, source: string): ValueTest {
  if (value.kind === 'number') return numberTest(operator, value.value);
  const matches = value.kind === 'glob' ? globMatcher(value) : regexMatcher(value.source, value.position + 1, source);
  if (operator === '=') {
    return (v) => {
      const text = textOf(v);
      return text !== undefined && matches(text);
    };
  }
  // '!=' (the parser allows nothing else for strings): a value node that does not match
  return (v) => {
    const text = textOf(v);
    return text !== undefined && !matches(text);
  };
}

function numberTest(operator: NumericOperator, x: number): ValueTest {
  // n === n is false only for NaN: an uncomparable node matches no operator, not even '!='
  switch (operator) {
    case '=':
      return (v) => numberOf(v) === x;
    case '!=':
      return (v) => {
        const n = numberOf(v);
        return n === n && n !== x;
      };
    case '<':
      return (v) => numberOf(v) < x;
    case '>':
      return (v) => numberOf(v) > x;
    case '<=':
      return (v) => numberOf(v) <= x;
    case '>=':
      return (v) => numberOf(v) >= x;
  }
}

/** Case-sensitive; `*` at the start and/or end only (the parser refuses one inside). */
function globMatcher(glob: GlobValue): (text: string) => boolean {
  const t = glob.text;
  if (glob.leadingStar && glob.trailingStar) return t === '' ? () => true : (s) => s.includes(t);
  if (glob.leadingStar) return (s) => s.endsWith(t);
  if (glob.trailingStar) return (s) => s.startsWith(t);
  return (s) => s === t;
}

function regexMatcher(re: string, offset: number, source: string): (text: string) => boolean {
  const matcher = compileRegex(re, offset, source);
  return (s) => matcher.test(s);
}

// ---- selectors --------------------------------------------------------------------------

const MISSING: unique symbol = Symbol('missing');
type Node = unknown;

const KEY = 0;
const INDEX = 1;

/**
 * One lookup, own properties only (`Object.hasOwn`): a record's `__proto__` or
 * `constructor` key is data, and nothing is ever read from a prototype. A name reads only
 * objects, an index only arrays (RFC 9535: `$.list.length` and `$.obj[0]` select nothing).
 */
function lookup(node: Node, kind: number, key: string, index: number): Node | typeof MISSING {
  if (typeof node !== 'object' || node === null) return MISSING;
  let v: unknown;
  if (kind === KEY) {
    if (Array.isArray(node) || !Object.hasOwn(node, key)) return MISSING;
    v = (node as Record<string, unknown>)[key];
  } else {
    if (!Array.isArray(node) || index >= node.length) return MISSING;
    v = node[index];
  }
  // JSON has no undefined; a hole or an undefined member counts as absent
  return v === undefined ? MISSING : v;
}

/**
 * A predicate that is true when the selector reaches a node for which `test` holds. With a
 * wildcard step the selector reaches every child of that array or object, and one match is
 * enough ("select any array element or any JSON object field").
 */
function selectsWalk(selector: Selector, test: ValueTest): Predicate {
  const steps = selector.steps;
  const n = steps.length;
  const kinds = new Uint8Array(n);
  const keys: string[] = [];
  const indexes = new Float64Array(n);
  let wildcard = -1;
  steps.forEach((step, i) => {
    keys.push(step.kind === 'key' ? step.key : '');
    if (step.kind === 'index') {
      kinds[i] = INDEX;
      indexes[i] = step.index;
    } else if (step.kind === 'any') {
      wildcard = i;
    }
  });

  const walk = (node: Node, from: number, to: number): Node | typeof MISSING => {
    for (let i = from; i < to; i++) {
      node = lookup(node, kinds[i]!, keys[i]!, indexes[i]!);
      if (node === MISSING) return MISSING;
    }
    return node;
  };

  if (wildcard < 0) {
    return (record) => {
      const v = walk(record, 0, n);
      return v !== MISSING && test(v);
    };
  }
  const w = wildcard;
  return (record) => {
    const container = walk(record, 0, w);
    if (typeof container !== 'object' || container === null) return false;
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) {
        const child: unknown = container[i];
        if (child === undefined) continue;
        const v = walk(child, w + 1, n);
        if (v !== MISSING && test(v)) return true;
      }
      return false;
    }
    for (const key in container) {
      if (!Object.hasOwn(container, key)) continue;
      const child = (container as Record<string, unknown>)[key];
      if (child === undefined) continue;
      const v = walk(child, w + 1, n);
      if (v !== MISSING && test(v)) return true;
    }
    return false;
  };
}

// ---- fast paths -------------------------------------------------------------------------

/** The shared slot of a selector of plain keys (no `[n]`, no `*`, no key with a dot), or undefined. */
function plainSlot(selector: Selector): number | undefined {
  const keys: string[] = [];
  for (const step of selector.steps) {
    if (step.kind !== 'key' || step.key === '' || step.key.includes('.')) return undefined;
    keys.push(step.key);
  }
  return keys.length === 0 ? undefined : fieldSlot(keys.join('.'));
}

/**
 * `selectsWalk` for a plain path, through the record's shared slot: the same answers (an
 * array before the last key reaches nothing, as a name step on an array does), with the
 * walk done once per record for every rule that reads the path.
 */
function selectsFast(selector: Selector, test: ValueTest): Predicate {
  const slot = plainSlot(selector);
  if (slot === undefined) return selectsWalk(selector, test);
  return (record) => {
    const v = slotValue(record, slot);
    return v !== SLOT_MISSING && v !== ARRAY_ON_PATH && test(v);
  };
}

/**
 * The common comparisons unrolled into one closure each: `= "text"`, `= "prefix*"`,
 * `= "*suffix"`, `= "*part*"`, `= *` and their `!=`. A number node compares by its
 * JavaScript text, as `textOf` does; anything else (regexes, numbers, wildcards inside
 * selectors) takes the general path (undefined).
 */
function fastCompare(selector: Selector, operator: NumericOperator, value: ComparisonValue): Predicate | undefined {
  if (value.kind !== 'glob' || (operator !== '=' && operator !== '!=')) return undefined;
  const slot = plainSlot(selector);
  if (slot === undefined) return undefined;
  const t = value.text;
  const matches: (s: string) => boolean =
    value.leadingStar && value.trailingStar
      ? t === ''
        ? () => true
        : (s) => s.includes(t)
      : value.leadingStar
        ? (s) => s.endsWith(t)
        : value.trailingStar
          ? (s) => s.startsWith(t)
          : (s) => s === t;
  const wanted = operator === '=';
  if (!value.leadingStar && !value.trailingStar && wanted) {
    return (record) => {
      const v = slotValue(record, slot);
      if (typeof v === 'string') return v === t;
      return typeof v === 'number' && Number.isFinite(v) && String(v) === t;
    };
  }
  return (record) => {
    const v = slotValue(record, slot);
    if (typeof v === 'string') return matches(v) === wanted;
    return typeof v === 'number' && Number.isFinite(v) && matches(String(v)) === wanted;
  };
}

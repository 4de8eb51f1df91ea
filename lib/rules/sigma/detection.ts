import { cidrContains, parseCidr } from './cidr';
import { ARRAY_ON_PATH, fieldSlot, MISSING, slotLower, slotValue } from '../record-fields';
import { type FieldPath, type FieldValues, parseFieldName, readField, valueText } from './field';
import { SigmaProblem } from './problem';
import { compileSigmaRegex, type RegexFlags } from './regex';
import { compileGlob, hasWildcards, literalPieces, parseSigmaString, plainText, wrapWithStars } from './strings';

/**
 * Search identifiers → predicates (rules specification v2.0.0, "Detection"; modifiers
 * appendix v2.1.0). A map is the AND of its `field|modifiers: value` entries; a value list
 * is the OR of its values (`all` makes it AND); a list of maps is the OR of the maps.
 * Modifier chains are checked the way pySigma applies them: `re`, `cidr` and `exists` only
 * on unmodified values, `i`/`m`/`s` only after `re`, `cased` only on strings, and so on.
 */
export type Predicate = (record: unknown) => boolean;

export interface DetectionItem {
  readonly k: 'item';
  /** `field|modifiers` as written. */
  readonly key: string;
  readonly field: string;
  readonly test: Predicate;
  /**
   * When the item holds only if the field's text equals one of these values (compared
   * exactly when `cased`, else after lower-casing): what the eventName index needs.
   */
  readonly equalsAnyOf?: { readonly values: readonly string[]; readonly cased: boolean };
  /**
   * The item holds only when the field has a value that is not null: every value test needs
   * one (no `null`, `exists` or `neq`). What the field index needs for `errorCode|startswith`.
   */
  readonly needsValue: boolean;
  /** Only value tests on this field's own values (no `fieldref`): `test` on a record holding only this field answers for any record. */
  readonly ownValuesOnly: boolean;
  /**
   * Every string the item passes contains a fixed text at least this long (`contains: kali`:
   * 4; `[kali, parrot]`: 4; `|all`: the longest); absent when unknown (a regex, a number, a
   * CIDR, a value that is all wildcards). What the engine needs to prefer the item's text
   * test to an eventSource value set (`RequiredValues.literal`).
   */
  readonly literal?: number;
}

export type DetectionNode = DetectionItem | { readonly k: 'and' | 'or'; readonly operands: readonly DetectionNode[] };

/** Modifiers trailwatch knows but refuses, with why. */
const REFUSED_MODIFIERS: Readonly<Record<string, string>> = {
  base64: 'matches base64-encoded text, which CloudTrail fields do not hold',
  base64offset: 'matches base64-encoded text, which CloudTrail fields do not hold',
  utf16: 'matches UTF-16 bytes, which parsed CloudTrail JSON does not hold',
  utf16le: 'matches UTF-16 bytes, which parsed CloudTrail JSON does not hold',
  utf16be: 'matches UTF-16 bytes, which parsed CloudTrail JSON does not hold',
  wide: 'matches UTF-16 bytes, which parsed CloudTrail JSON does not hold',
  windash: 'expands Windows command-line dashes',
  expand: 'needs placeholder values from a processing pipeline',
  minute: 'time-part modifiers are not supported',
  hour: 'time-part modifiers are not supported',
  day: 'time-part modifiers are not supported',
  week: 'time-part modifiers are not supported',
  month: 'time-part modifiers are not supported',
  year: 'time-part modifiers are not supported',
};

type ValueKind = 'plain' | 're' | 'cidr' | 'exists' | 'fieldref' | 'compare';
type CompareOp = 'gt' | 'gte' | 'lt' | 'lte';

interface ModifierChain {
  kind: ValueKind;
  /** Wildcards added before / after by endswith / startswith / contains. */
  before: boolean;
  after: boolean;
  cased: boolean;
  flags: { i: boolean; m: boolean; s: boolean };
  all: boolean;
  neq: boolean;
  op?: CompareOp;
}

type ValueSpec =
  | { readonly k: 'null' }
  | { readonly k: 'exists'; readonly exists: boolean }
  | {
      readonly k: 'leaf';
      readonly test: (value: unknown) => boolean;
      /** The same test for a string value given lower-cased (case-insensitive string tests): `test(v) === lower(v.toLowerCase())`. */
      readonly lower?: (lowerText: string) => boolean;
    }
  | { readonly k: 'fieldref'; readonly path: FieldPath; readonly test: (value: string, reference: string) => boolean };

type Scalar = string | number | boolean | null;

const isScalar = (v: unknown): v is Scalar => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const MAX_DETECTION_DEPTH = 16;

/** One search identifier's definition → its node. Throws SigmaProblem. */
export function compileSearchIdentifier(name: string, definition: unknown): DetectionNode {
  return compileDefinition(name, definition, 0);
}

function compileDefinition(name: string, definition: unknown, depth: number): DetectionNode {
  if (depth > MAX_DETECTION_DEPTH) throw new SigmaProblem('invalid', `search identifier ${name}: nested more than ${MAX_DETECTION_DEPTH} lists deep`);
  if (isMapping(definition)) {
    const keys = Object.keys(definition);
    if (keys.length === 0) throw new SigmaProblem('invalid', `search identifier ${name} is an empty map`);
    const items = keys.map((key) => compileItem(name, key, definition[key]));
    return items.length === 1 ? items[0]! : { k: 'and', operands: items };
  }
  if (Array.isArray(definition)) {
    if (definition.length === 0) throw new SigmaProblem('invalid', `search identifier ${name} is an empty list`);
    if (definition.some(isScalar)) {
      throw new SigmaProblem('unsupported', `keyword search (values without a field) in search identifier ${name}: CloudTrail records are matched field by field`);
    }
    const operands = definition.map((d) => compileDefinition(name, d, depth + 1));
    return operands.length === 1 ? operands[0]! : { k: 'or', operands };
  }
  if (isScalar(definition)) throw new SigmaProblem('unsupported', `keyword search (a value without a field) in search identifier ${name}`);
  throw new SigmaProblem('invalid', `search identifier ${name} must be a map or a list of maps`);
}

function compileItem(name: string, key: string, raw: unknown): DetectionItem {
  const [fieldName = '', ...modifiers] = key.split('|');
  const where = `${name}: ${JSON.stringify(key)}`;
  if (fieldName === '') throw new SigmaProblem('unsupported', `keyword search (${JSON.stringify(key)} has no field) in search identifier ${name}`);
  const path = parseFieldName(fieldName);
  if (path === undefined) throw new SigmaProblem('invalid', `${where}: field name with an empty part`);
  const values: unknown[] = Array.isArray(raw) ? raw : [raw];
  for (const v of values) {
    if (!isScalar(v)) throw new SigmaProblem('invalid', `${where}: values must be strings, numbers, booleans or null (or a list of them)`);
  }
  const chain = readModifiers(where, modifiers);
  // pySigma: an empty value list is the null value
  const each = values.length === 0 ? [{ k: 'null' } as const] : (values as Scalar[]).map((v) => valueSpec(where, v, chain));
  const specs = chain.all ? each : mergeLeaves(each, values as Scalar[], chain);
  return {
    k: 'item',
    key,
    field: fieldName,
    test: itemPredicate(path, specs, chain.all, chain.neq),
    needsValue: !chain.neq && each.every((spec) => spec.k === 'leaf' || spec.k === 'fieldref'),
    ownValuesOnly: each.every((spec) => spec.k === 'leaf'),
    ...equalsAnyOf(values as Scalar[], chain),
    ...fixedText(values as Scalar[], chain),
  };
}

/**
 * The fixed text every passing string contains (`literal`): for a plain string value, its
 * longest run of literal characters between wildcards (`contains`/`startswith`/`endswith`
 * only add stars); the shortest over OR-linked values, the longest over `|all` values. Other
 * kinds (re, cidr, numbers, booleans, null, exists, fieldref, neq) state nothing.
 */
function fixedText(values: readonly Scalar[], chain: ModifierChain): Pick<DetectionItem, 'literal'> {
  if (chain.kind !== 'plain' || chain.neq || values.length === 0) return {};
  let literal: number | undefined;
  for (const v of values) {
    if (typeof v !== 'string') return {};
    let longest = 0;
    for (const piece of parseSigmaString(v)) if (typeof piece === 'object') longest = Math.max(longest, piece.lit.length);
    literal = literal === undefined ? longest : chain.all ? Math.max(literal, longest) : Math.min(literal, longest);
  }
  return literal !== undefined && literal > 0 ? { literal } : {};
}

function readModifiers(where: string, modifiers: readonly string[]): ModifierChain {
  const chain: ModifierChain = { kind: 'plain', before: false, after: false, cased: false, flags: { i: false, m: false, s: false }, all: false, neq: false };
  const invalid = (what: string): never => {
    throw new SigmaProblem('invalid', `${where}: ${what}`);
  };
  modifiers.forEach((mod, applied) => {
    switch (mod) {
      case 'contains':
      case 'startswith':
      case 'endswith':
        if (chain.kind !== 'plain' && chain.kind !== 're' && chain.kind !== 'fieldref') invalid(`${mod} cannot follow ${chain.kind}`);
        // on a regex these only add `.*` (pySigma), which a search already implies
        if (chain.kind === 're') break;
        if (mod !== 'startswith') chain.before = true;
        if (mod !== 'endswith') chain.after = true;
        break;
      case 'all':
        chain.all = true;
        break;
      case 'neq':
        chain.neq = true;
        break;
      case 'cased':
        if (chain.kind !== 'plain') invalid(`cased applies to plain strings, not after ${chain.kind}`);
        chain.cased = true;
        break;
      case 're':
      case 'cidr':
      case 'exists':
        if (applied > 0) invalid(`${mod} must be the first modifier (it applies to unmodified values)`);
        chain.kind = mod;
        break;
      case 'i':
      case 'ignorecase':
      case 'm':
      case 'multiline':
      case 's':
      case 'dotall':
        if (chain.kind !== 're') invalid(`${mod} is a sub-modifier of re`);
        chain.flags[mod[0] === 'd' ? 's' : (mod[0] as 'i' | 'm' | 's')] = true;
        break;
      case 'fieldref':
        if (chain.kind !== 'plain' || chain.before || chain.after || chain.cased) invalid('fieldref must come before contains/startswith/endswith and cannot be cased');
        chain.kind = 'fieldref';
        break;
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        if (chain.kind !== 'plain' || chain.before || chain.after || chain.cased) invalid(`${mod} applies to numbers only`);
        chain.kind = 'compare';
        chain.op = mod;
        break;
      default:
        if (Object.hasOwn(REFUSED_MODIFIERS, mod)) throw new SigmaProblem('unsupported', `modifier '${mod}' in ${where}: ${REFUSED_MODIFIERS[mod]}`);
        throw new SigmaProblem('unsupported', `unknown modifier '${mod}' in ${where}`);
    }
  });
  return chain;
}

/** Plain decimal text, as a number compares with it (`"111122223333"`, `"-1.5"`; not `"1e3"`). */
const DECIMAL = /^[+-]?\d+(?:\.\d+)?$/;

function numericValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.length <= 64 && DECIMAL.test(value)) return Number(value);
  return undefined;
}

function textLeaf(test: (text: string) => boolean): Extract<ValueSpec, { k: 'leaf' }> {
  return {
    k: 'leaf',
    test: (v) => {
      const t = valueText(v);
      return t !== undefined && test(t);
    },
  };
}

function valueSpec(where: string, value: Scalar, chain: ModifierChain): ValueSpec {
  const invalid = (what: string): never => {
    throw new SigmaProblem('invalid', `${where}: ${what} (value ${JSON.stringify(value)})`);
  };
  switch (chain.kind) {
    case 'plain': {
      const stringMatching = chain.before || chain.after || chain.cased;
      if (typeof value === 'string' || (typeof value === 'number' && stringMatching)) {
        // a number under contains/startswith/endswith/cased is matched as its decimal text
        const pieces = wrapWithStars(typeof value === 'string' ? parseSigmaString(value) : literalPieces(String(value)), chain.before, chain.after);
        const leaf = textLeaf(compileGlob(pieces, chain.cased));
        if (chain.cased) return leaf;
        // lower-cased pieces compared exactly with lower-cased text: what compileGlob does uncased
        const lowered = pieces.map((p) => (typeof p === 'object' ? { lit: p.lit.toLowerCase() } : p));
        return { ...leaf, lower: compileGlob(lowered, true) };
      }
      if (stringMatching) return invalid('contains, startswith, endswith and cased need a string');
      if (value === null) return { k: 'null' };
      if (typeof value === 'boolean') {
        const text = value ? 'true' : 'false';
        return { k: 'leaf', test: (v) => v === value || (typeof v === 'string' && v.toLowerCase() === text) };
      }
      const n = value;
      return { k: 'leaf', test: (v) => numericValue(v) === n };
    }
    case 're': {
      if (typeof value !== 'string' && typeof value !== 'number') return invalid('re needs a string');
      const flags: RegexFlags = chain.flags;
      const regex = compileSigmaRegex(String(value), flags);
      return textLeaf((t) => regex.test(t));
    }
    case 'cidr': {
      const network = typeof value === 'string' ? parseCidr(value.trim()) : undefined;
      if (network === undefined) return invalid('cidr needs an IPv4 or IPv6 network such as 10.0.0.0/8 or 2001:db8::/32');
      return { k: 'leaf', test: (v) => typeof v === 'string' && cidrContains(network, v) };
    }
    case 'exists':
      if (typeof value !== 'boolean') return invalid('exists needs true or false');
      return { k: 'exists', exists: value };
    case 'fieldref': {
      if (typeof value !== 'string') return invalid('fieldref needs a field name');
      const pieces = parseSigmaString(value);
      const path = hasWildcards(pieces) ? undefined : parseFieldName(plainText(pieces));
      if (path === undefined) return invalid('fieldref needs a field name without wildcards');
      const { before, after } = chain;
      // field references compare case-sensitively, as pySigma's matcher does
      const test =
        before && after
          ? (v: string, r: string) => v.includes(r)
          : after
            ? (v: string, r: string) => v.startsWith(r)
            : before
              ? (v: string, r: string) => v.endsWith(r)
              : (v: string, r: string) => v === r;
      return { k: 'fieldref', path, test };
    }
    case 'compare': {
      if (typeof value !== 'number' || Number.isNaN(value)) return invalid(`${chain.op} needs a number`);
      const n = value;
      const op = chain.op;
      const compare =
        op === 'gt' ? (x: number) => x > n : op === 'gte' ? (x: number) => x >= n : op === 'lt' ? (x: number) => x < n : (x: number) => x <= n;
      return {
        k: 'leaf',
        test: (v) => {
          const x = numericValue(v);
          return x !== undefined && compare(x);
        },
      };
    }
  }
}

function holds(spec: ValueSpec, field: FieldValues, record: unknown): boolean {
  const values = field.values;
  switch (spec.k) {
    case 'null':
      // `field: null` is a missing field or a JSON null
      if (field.absent) return true;
      for (let k = 0; k < values.length; k++) if (values[k] === null) return true;
      return false;
    case 'exists':
      return spec.exists === field.present;
    case 'leaf':
      for (let k = 0; k < values.length; k++) {
        const v = values[k];
        if (v === null || v === undefined) continue;
        if (typeof v === 'object' ? anyScalarInside(v, spec.test) : spec.test(v)) return true;
      }
      return false;
    case 'fieldref': {
      const reference = readField(record, spec.path).values;
      for (let k = 0; k < values.length; k++) {
        const a = valueText(values[k]);
        if (a === undefined) continue;
        for (let j = 0; j < reference.length; j++) {
          const b = valueText(reference[j]);
          if (b !== undefined && spec.test(a, b)) return true;
        }
      }
      return false;
    }
  }
}

/**
 * A value test on a field that holds an object (`requestParameters`, `responseElements`)
 * holds if it holds for a string, number or boolean anywhere inside it. Sigma's fields are
 * flat in most back ends, where such a field is text; SigmaHQ's CloudTrail rules rely on it
 * (`requestParameters|contains|all: ['"s3:GetObject"', …]` looks into the policy document
 * string, `responseElements|contains: 'Failure'`). Walked with an explicit stack.
 */
function anyScalarInside(root: object, test: (value: unknown) => boolean): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || node === undefined) continue;
    if (typeof node !== 'object') {
      if (test(node)) return true;
      continue;
    }
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) stack.push(record[key]);
  }
  return false;
}

/**
 * OR-linked value tests on one field as one test, so the field is read once: wildcard-free
 * strings become a single Set lookup (`eventName: [StopLogging, DeleteTrail, …]`).
 */
function mergeLeaves(specs: readonly ValueSpec[], values: readonly Scalar[], chain: ModifierChain): ValueSpec[] {
  const leaves = specs.filter((s): s is Extract<ValueSpec, { k: 'leaf' }> => s.k === 'leaf');
  if (leaves.length < 2) return [...specs];
  const others = specs.filter((s) => s.k !== 'leaf');
  const texts = plainTexts(values, chain);
  let test: (value: unknown) => boolean;
  if (texts !== undefined && texts.length === values.length) {
    const cased = chain.cased;
    const set = new Set(cased ? texts : texts.map((t) => t.toLowerCase()));
    test = (v) => {
      const t = valueText(v);
      return t !== undefined && set.has(cased ? t : t.toLowerCase());
    };
    if (!cased) return [{ k: 'leaf', test, lower: (t) => set.has(t) }, ...others];
  } else {
    const tests = leaves.map((l) => l.test);
    test = (v) => {
      for (let k = 0; k < tests.length; k++) if (tests[k]!(v)) return true;
      return false;
    };
    // `userAgent|contains: [a, b, c]`: the record's lower-cased text once, for every value
    const lowers = leaves.map((l) => l.lower);
    if (lowers.every((l) => l !== undefined)) {
      const lower = (t: string) => {
        for (let k = 0; k < lowers.length; k++) if (lowers[k]!(t)) return true;
        return false;
      };
      return [{ k: 'leaf', test, lower }, ...others];
    }
  }
  return [{ k: 'leaf', test }, ...others];
}

/** The texts of plain, wildcard-free string values (no contains/startswith/endswith), or undefined. */
function plainTexts(values: readonly Scalar[], chain: ModifierChain): string[] | undefined {
  if (chain.kind !== 'plain' || chain.before || chain.after) return undefined;
  const texts: string[] = [];
  for (const v of values) {
    if (typeof v !== 'string') return undefined;
    const pieces = parseSigmaString(v);
    if (hasWildcards(pieces)) return undefined;
    texts.push(plainText(pieces));
  }
  return texts;
}

/**
 * One value test, the common case: the field is read through the record's shared slot
 * (../record-fields.ts: walked once per record whichever rules ask) and falls back to the
 * general reader only when an array is on the path. A case-insensitive test of a string
 * takes the slot's lower-cased text, also computed once per record (`lower`).
 */
function leafPredicate(path: FieldPath, spec: Extract<ValueSpec, { k: 'leaf' }>): Predicate {
  const slot = fieldSlot(path.join('.'));
  const test = spec.test;
  const lower = spec.lower;
  return (record) => {
    const node = slotValue(record, slot);
    if (node === MISSING || node === null) return false;
    if (node === ARRAY_ON_PATH) return holds(spec, readField(record, path), record);
    if (typeof node === 'string' && lower !== undefined) return lower(slotLower(record, slot, node));
    if (typeof node !== 'object') return test(node);
    return Array.isArray(node) ? holds(spec, readField(record, path), record) : anyScalarInside(node, test);
  };
}

function itemPredicate(path: FieldPath, specs: readonly ValueSpec[], all: boolean, neq: boolean): Predicate {
  const n = specs.length;
  if (n === 1 && !neq) {
    const only = specs[0]!;
    if (only.k === 'leaf') return leafPredicate(path, only);
    return (record) => holds(only, readField(record, path), record);
  }
  return (record) => {
    const field = readField(record, path);
    let result = all;
    for (let k = 0; k < n; k++) {
      if (holds(specs[k]!, field, record) !== all) {
        result = !all;
        break;
      }
    }
    return neq ? !result : result;
  };
}

/**
 * Whether the item is "field text equals one of these": plain wildcard-free strings, OR-linked
 * (or one value), not negated. `true`/`false` are left out: they also match JSON booleans,
 * which have no eventName text.
 */
function equalsAnyOf(values: readonly Scalar[], chain: ModifierChain): Pick<DetectionItem, 'equalsAnyOf'> {
  if (chain.kind !== 'plain' || chain.before || chain.after || chain.neq || values.length === 0) return {};
  if (chain.all && values.length > 1) return {};
  const texts = plainTexts(values, chain);
  if (texts === undefined || texts.some((t) => /^(?:true|false)$/i.test(t))) return {};
  return { equalsAnyOf: { values: texts, cased: chain.cased } };
}

/** A detection tree as one predicate. */
export function detectionPredicate(node: DetectionNode): Predicate {
  if (node.k === 'item') return node.test;
  const operands = node.operands.map(detectionPredicate);
  return combine(node.k, operands);
}

export function combine(k: 'and' | 'or', operands: readonly Predicate[]): Predicate {
  const n = operands.length;
  if (n === 1) return operands[0]!;
  if (k === 'and') {
    return (record) => {
      for (let i = 0; i < n; i++) if (!operands[i]!(record)) return false;
      return true;
    };
  }
  return (record) => {
    for (let i = 0; i < n; i++) if (operands[i]!(record)) return true;
    return false;
  };
}

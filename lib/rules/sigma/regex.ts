import { SigmaProblem } from './problem';

/**
 * The `re` modifier's regular expressions, matched in time linear in the text.
 *
 * The Sigma modifiers appendix (v2.1.0, "Regular Expression") fixes the flavour as PCRE
 * restricted to `.`, `^ $`, `* + ? {n,m}`, `[a-z] [^a-z]`, `( )` and `|`, with the
 * sub-modifiers `i`, `m`, `s`. Real rules also escape metacharacters (`\.`) and use the
 * shorthand classes (`\d`), so those are accepted too; everything whose meaning needs
 * backtracking or differs between engines is refused by name (backreferences, lookaround,
 * atomic groups, possessive quantifiers, `\v`, Unicode properties, …).
 *
 * The filter-pattern engine (../filter-pattern/regex.ts) has no groups and a narrower
 * character set, so it cannot take Sigma's flavour; this module is the same design — a
 * Thompson NFA simulated in one pass (Pike VM without captures) — with groups, counted
 * repetition of groups, assertions and per-node flags. The text is never handed to
 * `RegExp`: no pattern can backtrack catastrophically. A match costs at most
 * (text length × NFA states) steps; NFA size is capped.
 *
 * PCRE semantics kept: a match is a search (`re.search`, as pySigma's matcher does);
 * `.` matches anything but `\n` unless `s`; `$` (without `m`) and `\Z` match at the end or
 * before a final `\n`; with `m`, `^` matches after any `\n` except one ending the text and
 * `$` before any `\n`; `\d \w \s \b` are ASCII (PCRE without UCP); `\s` is `[\t\n\v\f\r ]`.
 * The text is read by code points; `i` folds each code point by JavaScript's simple
 * lower/upper case mapping.
 */
export interface SigmaRegex {
  readonly source: string;
  /** True if the regex matches somewhere in `text`. Never throws. */
  test(text: string): boolean;
}

export interface RegexFlags {
  /** `re|i`: case-insensitive. */
  readonly i?: boolean;
  /** `re|m`: `^`/`$` at line breaks. */
  readonly m?: boolean;
  /** `re|s`: `.` matches `\n`. */
  readonly s?: boolean;
}

/** Largest `{n,m}` bound, NFA size and group nesting we compile. */
export const MAX_REPEAT = 1000;
export const MAX_STATES = 4096;
const MAX_DEPTH = 100;
const MAX_CODE_POINT = 0x10ffff;

// ---- character sets ------------------------------------------------------------------

/** Sorted, disjoint, inclusive code point ranges, with a table for ASCII. */
class CharSet {
  readonly ascii: Uint8Array;
  constructor(readonly ranges: readonly number[]) {
    this.ascii = new Uint8Array(128);
    for (let k = 0; k < ranges.length; k += 2) {
      const lo = ranges[k]!;
      const hi = Math.min(ranges[k + 1]!, 127);
      for (let c = lo; c <= hi; c++) this.ascii[c] = 1;
    }
  }

  has(c: number): boolean {
    if (c < 128) return this.ascii[c] === 1;
    const r = this.ranges;
    let lo = 0;
    let hi = r.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (c < r[mid * 2]!) hi = mid - 1;
      else if (c > r[mid * 2 + 1]!) lo = mid + 1;
      else return true;
    }
    return false;
  }
}

/** Merges `[lo, hi]` pairs into sorted disjoint ranges, optionally complemented. */
function normalise(pairs: number[], negate: boolean): CharSet {
  const sorted: [number, number][] = [];
  for (let k = 0; k < pairs.length; k += 2) sorted.push([pairs[k]!, pairs[k + 1]!]);
  sorted.sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [lo, hi] of sorted) {
    const last = merged.length - 1;
    if (last > 0 && lo <= merged[last]! + 1) merged[last] = Math.max(merged[last]!, hi);
    else merged.push(lo, hi);
  }
  if (!negate) return new CharSet(merged);
  const complement: number[] = [];
  let next = 0;
  for (let k = 0; k < merged.length; k += 2) {
    if (merged[k]! > next) complement.push(next, merged[k]! - 1);
    next = merged[k + 1]! + 1;
  }
  if (next <= MAX_CODE_POINT) complement.push(next, MAX_CODE_POINT);
  return new CharSet(complement);
}

const DIGIT = [48, 57];
const WORD = [48, 57, 65, 90, 95, 95, 97, 122];
// PCRE2 \s: space, \t \n \v \f \r (VT joined in PCRE2 10.x / Perl 5.18)
const SPACE = [9, 13, 32, 32];
const SHORTHANDS: Readonly<Record<string, { pairs: number[]; negate: boolean }>> = {
  d: { pairs: DIGIT, negate: false },
  D: { pairs: DIGIT, negate: true },
  w: { pairs: WORD, negate: false },
  W: { pairs: WORD, negate: true },
  s: { pairs: SPACE, negate: false },
  S: { pairs: SPACE, negate: true },
};
const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { t: 9, n: 10, r: 13, f: 12, e: 27, a: 7 };

const isWordCode = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

// ---- syntax tree -----------------------------------------------------------------------

type Assertion = 'start' | 'end' | 'endOrFinalNewline' | 'lineStart' | 'lineEnd' | 'wordBoundary' | 'notWordBoundary';

type Node =
  | { readonly k: 'set'; readonly set: CharSet; readonly fold: boolean }
  | { readonly k: 'any'; readonly dotAll: boolean }
  | { readonly k: 'assert'; readonly a: Assertion }
  | { readonly k: 'cat'; readonly items: readonly Node[] }
  | { readonly k: 'alt'; readonly alts: readonly Node[] }
  | { readonly k: 'rep'; readonly item: Node; readonly min: number; readonly max: number }
  | { readonly k: 'empty' };

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
}

/** Recursive descent over the pattern's code points. */
class RegexParser {
  private readonly cps: number[];
  private i = 0;
  private depth = 0;

  constructor(private readonly source: string) {
    this.cps = Array.from(source, (ch) => ch.codePointAt(0)!);
  }

  private unsupported(what: string): never {
    throw new SigmaProblem('unsupported', `regex ${JSON.stringify(this.source)}: ${what} (at ${this.i}) is not supported`);
  }

  private invalid(what: string): never {
    throw new SigmaProblem('invalid', `regex ${JSON.stringify(this.source)}: ${what} (at ${this.i})`);
  }

  private peek(offset = 0): string | undefined {
    const c = this.cps[this.i + offset];
    return c === undefined ? undefined : String.fromCodePoint(c);
  }

  parse(flags: Flags): Node {
    const node = this.alternation({ ...flags });
    if (this.i < this.cps.length) this.invalid(`unbalanced ')'`);
    return node;
  }

  private alternation(flags: Flags): Node {
    const alts = [this.sequence(flags)];
    while (this.peek() === '|') {
      this.i++;
      alts.push(this.sequence(flags));
    }
    return alts.length === 1 ? alts[0]! : { k: 'alt', alts };
  }

  /** Items until `|`, `)` or the end. Inline flag changes `(?i)` affect the rest of the group. */
  private sequence(flags: Flags): Node {
    const items: Node[] = [];
    for (;;) {
      const ch = this.peek();
      if (ch === undefined || ch === '|' || ch === ')') break;
      const atom = this.atom(flags);
      if (atom === undefined) continue; // an inline flag setting
      items.push(this.quantified(atom));
    }
    if (items.length === 0) return { k: 'empty' };
    return items.length === 1 ? items[0]! : { k: 'cat', items };
  }

  private quantified(atom: Node): Node {
    const ch = this.peek();
    let min: number;
    let max: number;
    if (ch === '*' || ch === '+' || ch === '?') {
      this.i++;
      min = ch === '+' ? 1 : 0;
      max = ch === '?' ? 1 : Infinity;
    } else if (ch === '{') {
      const bounds = this.braces();
      if (bounds === undefined) return atom; // a literal '{', as PCRE reads it
      [min, max] = bounds;
    } else {
      return atom;
    }
    if (atom.k === 'assert') this.invalid('a quantifier cannot follow an assertion');
    // lazy `?` matches the same set of texts as greedy: a search only asks whether one exists
    if (this.peek() === '?') this.i++;
    else if (this.peek() === '+') this.unsupported('a possessive quantifier');
    const next = this.peek();
    if (next === '*' || next === '+' || next === '?') this.invalid(`nothing to repeat before '${next}'`);
    return { k: 'rep', item: atom, min, max };
  }

  /** `{n}`, `{n,}`, `{n,m}`; anything else after `{` is a literal brace (PCRE). */
  private braces(): [number, number] | undefined {
    let j = this.i + 1;
    const digits = (): string => {
      let s = '';
      while (this.cps[j] !== undefined && this.cps[j]! >= 48 && this.cps[j]! <= 57) s += String.fromCodePoint(this.cps[j++]!);
      return s;
    };
    const low = digits();
    let high: string | undefined = low;
    if (this.cps[j] === 44 /* , */) {
      j++;
      high = digits();
    }
    if (this.cps[j] !== 125 /* } */) return undefined;
    if (low === '') {
      // `{,m}` is a quantifier only since PCRE2 10.43 and a literal before: refuse the ambiguity
      if (high !== '') this.unsupported("'{,m}' (its meaning differs between PCRE versions; write {0,m})");
      return undefined;
    }
    const min = Number(low);
    const max = high === '' ? Infinity : Number(high);
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) this.unsupported(`a repetition bound above ${MAX_REPEAT}`);
    if (max < min) this.invalid('repetition {n,m} with m < n');
    this.i = j + 1;
    return [min, max];
  }

  /** One atom, or undefined for an inline flag setting such as `(?i)`. */
  private atom(flags: Flags): Node | undefined {
    const ch = this.peek()!;
    switch (ch) {
      case '(':
        return this.group(flags);
      case '[':
        return this.bracket(flags);
      case '.':
        this.i++;
        return { k: 'any', dotAll: flags.s };
      case '^':
        this.i++;
        return { k: 'assert', a: flags.m ? 'lineStart' : 'start' };
      case '$':
        this.i++;
        return { k: 'assert', a: flags.m ? 'lineEnd' : 'endOrFinalNewline' };
      case '\\':
        return this.escapeAtom(flags);
      case '*':
      case '+':
      case '?':
        return this.invalid(`nothing to repeat before '${ch}'`);
      default:
        this.i++;
        return literal(this.cps[this.i - 1]!, flags.i);
    }
  }

  private group(flags: Flags): Node | undefined {
    const open = this.i;
    this.i++;
    let inner = { ...flags };
    if (this.peek() === '?') {
      const kind = this.peek(1);
      if (kind === ':') {
        this.i += 2;
      } else if (kind === '<' && (this.peek(2) === '=' || this.peek(2) === '!')) {
        this.unsupported('lookbehind');
      } else if (kind === '=' || kind === '!') {
        this.unsupported('lookahead');
      } else if (kind === '>') {
        this.unsupported('an atomic group');
      } else if (kind === 'P' && this.peek(2) === '<') {
        this.i += 3;
        this.groupName('>');
      } else if (kind === '<' || kind === "'") {
        this.i += 2;
        this.groupName(kind === '<' ? '>' : "'");
      } else if (kind !== undefined && /[imsx-]/.test(kind)) {
        this.i++;
        const set = this.flagLetters();
        if (this.peek() === ')') {
          // `(?i)`: applies to the rest of the enclosing group
          this.i++;
          Object.assign(flags, set(flags));
          return undefined;
        }
        if (this.peek() !== ':') this.invalid("malformed inline flags, expected ')' or ':'");
        this.i++;
        inner = set(flags);
      } else {
        this.unsupported(`the group syntax '(?${kind ?? ''}'`);
      }
    }
    if (++this.depth > MAX_DEPTH) this.unsupported(`groups nested more than ${MAX_DEPTH} deep`);
    const body = this.alternation(inner);
    this.depth--;
    if (this.peek() !== ')') {
      this.i = open;
      this.invalid("unterminated group '('");
    }
    this.i++;
    return body;
  }

  private groupName(close: string): void {
    const start = this.i;
    while (this.peek() !== undefined && /\w/.test(this.peek()!)) this.i++;
    if (this.i === start || this.peek() !== close) this.invalid('malformed group name');
    this.i++;
  }

  /** `ims-ims` letters after `(?`; returns how they change a flag set. */
  private flagLetters(): (flags: Flags) => Flags {
    const on: string[] = [];
    const off: string[] = [];
    let target = on;
    for (;;) {
      const ch = this.peek();
      if (ch === '-') {
        if (target === off) this.invalid("two '-' in inline flags");
        target = off;
      } else if (ch === 'i' || ch === 'm' || ch === 's') {
        target.push(ch);
      } else if (ch === 'x') {
        this.unsupported("the extended-syntax flag 'x'");
      } else {
        break;
      }
      this.i++;
    }
    return (flags) => {
      const next = { ...flags };
      for (const f of on) next[f as keyof Flags] = true;
      for (const f of off) next[f as keyof Flags] = false;
      return next;
    };
  }

  private escapeAtom(flags: Flags): Node {
    const next = this.peek(1);
    if (next === undefined) this.invalid('a lone backslash at the end');
    const assertions: Readonly<Record<string, Assertion>> = { A: 'start', z: 'end', Z: 'endOrFinalNewline', b: 'wordBoundary', B: 'notWordBoundary' };
    if (Object.hasOwn(assertions, next)) {
      this.i += 2;
      return { k: 'assert', a: assertions[next]! };
    }
    const item = this.escape(false);
    return typeof item === 'number' ? literal(item, flags.i) : { k: 'set', set: item, fold: false };
  }

  /** After a `\`: a code point or a shorthand class. */
  private escape(inClass: boolean): number | CharSet {
    const next = this.peek(1)!;
    const shorthand = Object.hasOwn(SHORTHANDS, next) ? SHORTHANDS[next] : undefined;
    if (shorthand) {
      this.i += 2;
      return normalise([...shorthand.pairs], shorthand.negate);
    }
    if (Object.hasOwn(SIMPLE_ESCAPES, next)) {
      this.i += 2;
      return SIMPLE_ESCAPES[next]!;
    }
    if (next === 'x') return this.hexEscape();
    if (/[0-9]/.test(next)) this.unsupported(next === '0' ? 'an octal escape' : 'a backreference');
    if (next === 'g' || next === 'k') this.unsupported('a backreference');
    if (next === 'b' && inClass) this.unsupported('\\b inside a class');
    if (next === 'v' || next === 'V' || next === 'h' || next === 'H') this.unsupported(`\\${next} (PCRE and JavaScript disagree on it)`);
    if (next === 'p' || next === 'P' || next === 'X') this.unsupported('Unicode properties');
    if (next === 'Q' || next === 'E') this.unsupported('\\Q…\\E quoting');
    if (/[A-Za-z]/.test(next)) this.unsupported(`the escape \\${next}`);
    // a backslash before any other character is that character (PCRE)
    this.i += 2;
    return next.codePointAt(0)!;
  }

  private hexEscape(): number {
    const at = this.i;
    this.i += 2;
    let hex: string;
    if (this.peek() === '{') {
      const close = this.cps.indexOf(125, this.i);
      hex = close < 0 ? '' : this.cps.slice(this.i + 1, close).map((cp) => String.fromCodePoint(cp)).join('');
      if (!/^[0-9A-Fa-f]{1,6}$/.test(hex)) {
        this.i = at;
        this.invalid('\\x{…} needs 1 to 6 hexadecimal digits');
      }
      this.i = close + 1;
    } else {
      hex = '';
      while (hex.length < 2 && this.peek() !== undefined && /[0-9A-Fa-f]/.test(this.peek()!)) {
        hex += this.peek();
        this.i++;
      }
      if (hex === '') {
        this.i = at;
        this.invalid('\\x needs hexadecimal digits');
      }
    }
    const code = parseInt(hex, 16);
    if (code > MAX_CODE_POINT) this.invalid('\\x{…} beyond U+10FFFF');
    return code;
  }

  private bracket(flags: Flags): Node {
    const open = this.i;
    this.i++;
    let negate = false;
    if (this.peek() === '^') {
      negate = true;
      this.i++;
    }
    const pairs: number[] = [];
    let first = true;
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) {
        this.i = open;
        this.invalid("unterminated class '['");
      }
      if (ch === ']' && !first) {
        this.i++;
        break;
      }
      if (ch === '[' && (this.peek(1) === ':' || this.peek(1) === '.' || this.peek(1) === '=')) this.unsupported('POSIX classes such as [:alpha:]');
      first = false;
      const low = this.classItem();
      if (typeof low !== 'number') {
        for (const range of low.ranges) pairs.push(range);
        continue;
      }
      if (this.peek() === '-' && this.peek(1) !== undefined && this.peek(1) !== ']') {
        this.i++;
        const high = this.classItem();
        if (typeof high !== 'number') this.invalid('a range cannot end in a class');
        if (high < low) this.invalid('character range out of order');
        pairs.push(low, high);
      } else {
        pairs.push(low, low);
      }
    }
    if (flags.i) addCaseVariants(pairs);
    return { k: 'set', set: normalise(pairs, negate), fold: flags.i };
  }

  private classItem(): number | CharSet {
    if (this.peek() === '\\') {
      if (this.peek(1) === undefined) this.invalid('a lone backslash at the end');
      return this.escape(true);
    }
    return this.cps[this.i++]!;
  }
}

function literal(code: number, fold: boolean): Node {
  const pairs = [code, code];
  if (fold) addCaseVariants(pairs);
  return { k: 'set', set: normalise(pairs, false), fold };
}

/**
 * Adds the simple upper/lower case of each code point of small ranges. Large ranges (and
 * negated classes) are matched with the text's case variants at match time instead
 * (`fold` on the node), so both directions are covered without enumerating Unicode.
 */
function addCaseVariants(pairs: number[]): void {
  const n = pairs.length;
  for (let k = 0; k < n; k += 2) {
    const lo = pairs[k]!;
    const hi = pairs[k + 1]!;
    if (hi - lo > 512) continue;
    for (let c = lo; c <= hi; c++) {
      for (const v of caseVariants(c)) pairs.push(v, v);
    }
  }
}

function caseVariants(c: number): number[] {
  if (c < 128) {
    if (c >= 65 && c <= 90) return [c + 32];
    if (c >= 97 && c <= 122) return [c - 32];
    return [];
  }
  const ch = String.fromCodePoint(c);
  const out: number[] = [];
  for (const v of [ch.toLowerCase(), ch.toUpperCase()]) {
    const cp = v.codePointAt(0)!;
    if (v.length === String.fromCodePoint(cp).length && cp !== c) out.push(cp);
  }
  return out;
}

// ---- NFA -------------------------------------------------------------------------------

const OP_SET = 0;
const OP_ANY = 1;
const OP_ANY_DOTALL = 2;
const OP_SPLIT = 3;
const OP_JUMP = 4;
const OP_ASSERT = 5;
const OP_MATCH = 6;

const ASSERTION_CODES: Readonly<Record<Assertion, number>> = {
  start: 0,
  end: 1,
  endOrFinalNewline: 2,
  lineStart: 3,
  lineEnd: 4,
  wordBoundary: 5,
  notWordBoundary: 6,
};

interface Fragment {
  readonly start: number;
  /** Unpatched exits: state * 2 + (0 for out1, 1 for out2). */
  readonly exits: number[];
}

class NfaBuilder {
  readonly ops: number[] = [];
  readonly out1: number[] = [];
  readonly out2: number[] = [];
  readonly sets: (CharSet | undefined)[] = [];
  readonly folds: boolean[] = [];
  readonly assertions: number[] = [];

  constructor(private readonly source: string) {}

  state(op: number, set?: CharSet, fold = false, assertion = -1): number {
    if (this.ops.length >= MAX_STATES) {
      throw new SigmaProblem('unsupported', `regex ${JSON.stringify(this.source)}: more than ${MAX_STATES} automaton states (large counted repetition) is not supported`);
    }
    this.ops.push(op);
    this.out1.push(-1);
    this.out2.push(-1);
    this.sets.push(set);
    this.folds.push(fold);
    this.assertions.push(assertion);
    return this.ops.length - 1;
  }

  patch(exits: readonly number[], target: number): void {
    for (const e of exits) {
      if ((e & 1) === 0) this.out1[e >> 1] = target;
      else this.out2[e >> 1] = target;
    }
  }

  single(s: number): Fragment {
    return { start: s, exits: [s * 2] };
  }

  build(node: Node): Fragment {
    switch (node.k) {
      case 'set':
        return this.single(this.state(OP_SET, node.set, node.fold));
      case 'any':
        return this.single(this.state(node.dotAll ? OP_ANY_DOTALL : OP_ANY));
      case 'assert':
        return this.single(this.state(OP_ASSERT, undefined, false, ASSERTION_CODES[node.a]));
      case 'empty':
        return this.single(this.state(OP_JUMP));
      case 'cat': {
        let frag: Fragment | undefined;
        for (const item of node.items) frag = this.concat(frag, this.build(item));
        return frag ?? this.single(this.state(OP_JUMP));
      }
      case 'alt': {
        let frag = this.build(node.alts[0]!);
        for (const alt of node.alts.slice(1)) {
          const right = this.build(alt);
          const split = this.state(OP_SPLIT);
          this.out1[split] = frag.start;
          this.out2[split] = right.start;
          frag = { start: split, exits: [...frag.exits, ...right.exits] };
        }
        return frag;
      }
      case 'rep':
        return this.repeat(node.item, node.min, node.max);
    }
  }

  private concat(left: Fragment | undefined, right: Fragment): Fragment {
    if (left === undefined) return right;
    this.patch(left.exits, right.start);
    return { start: left.start, exits: right.exits };
  }

  /** Each copy is built afresh, so `(ab){2,4}` is ab ab (ab (ab)?)?. */
  private repeat(item: Node, min: number, max: number): Fragment {
    let frag: Fragment | undefined;
    for (let k = 0; k < min; k++) frag = this.concat(frag, this.build(item));
    if (max === Infinity) {
      const body = this.build(item);
      const split = this.state(OP_SPLIT);
      this.out1[split] = body.start;
      this.patch(body.exits, split);
      frag = this.concat(frag, { start: split, exits: [split * 2 + 1] });
    } else {
      const optional: Fragment[] = [];
      for (let k = min; k < max; k++) {
        const body = this.build(item);
        const split = this.state(OP_SPLIT);
        this.out1[split] = body.start;
        optional.push({ start: split, exits: [...body.exits, split * 2 + 1] });
      }
      // nest them: x? at each level continues to the next optional copy only after x matched
      for (let k = optional.length - 1; k > 0; k--) {
        const outer = optional[k - 1]!;
        const inner = optional[k]!;
        const bodyExits = outer.exits.slice(0, -1);
        this.patch(bodyExits, inner.start);
        optional[k - 1] = { start: outer.start, exits: [outer.exits[outer.exits.length - 1]!, ...inner.exits] };
      }
      if (optional[0] !== undefined) frag = this.concat(frag, optional[0]);
    }
    return frag ?? this.single(this.state(OP_JUMP));
  }
}

/** Compiles a Sigma `re` value. Throws SigmaProblem (invalid or unsupported) naming the feature. */
export function compileSigmaRegex(source: string, flags: RegexFlags = {}): SigmaRegex {
  const tree = new RegexParser(source).parse({ i: flags.i === true, m: flags.m === true, s: flags.s === true });
  const builder = new NfaBuilder(source);
  const whole = builder.build(tree);
  builder.patch(whole.exits, builder.state(OP_MATCH));
  return new PikeMatcher(source, whole.start, builder, requiredLiteral(tree));
}

/**
 * The longest run of plain characters every match must contain (`:assumed-role/aws:` in
 * `.+:assumed-role/aws:.+`): a text without it cannot match, and `includes` answers that far
 * faster than the automaton. Only mandatory, case-sensitive single characters in sequence
 * count; anything else (alternation, repetition, a class, an assertion) ends a run.
 */
function requiredLiteral(tree: Node): string {
  const items: Node[] = [];
  const flatten = (node: Node) => {
    if (node.k === 'cat') node.items.forEach(flatten);
    else items.push(node);
  };
  flatten(tree);
  let best = '';
  let run = '';
  for (const item of items) {
    const r = item.k === 'set' && !item.fold ? item.set.ranges : undefined;
    if (r !== undefined && r.length === 2 && r[0] === r[1]) {
      run += String.fromCodePoint(r[0]!);
      if (run.length > best.length) best = run;
    } else {
      run = '';
    }
  }
  return best;
}

/**
 * Thompson simulation: the set of live states advances one code point at a time, so time is
 * linear in the text. Lists and marks are allocated once per regex and reused: matching is
 * synchronous and calls no user code, so it cannot re-enter itself.
 */
class PikeMatcher implements SigmaRegex {
  private readonly ops: Uint8Array;
  private readonly out1: Int32Array;
  private readonly out2: Int32Array;
  private readonly sets: readonly (CharSet | undefined)[];
  private readonly folds: Uint8Array;
  private readonly assertions: Int8Array;
  private readonly anyFold: boolean;
  private current: Int32Array;
  private next: Int32Array;
  private readonly stack: Int32Array;
  private readonly marks: Uint32Array;
  private generation = 0;
  private matched = false;
  // the context of the position being closed over, for assertions
  private pos = 0;
  private end = 0;
  private prev = -1;
  private cur = -1;

  constructor(
    readonly source: string,
    private readonly start: number,
    b: NfaBuilder,
    private readonly literal: string,
  ) {
    this.ops = Uint8Array.from(b.ops);
    this.out1 = Int32Array.from(b.out1);
    this.out2 = Int32Array.from(b.out2);
    this.sets = b.sets;
    this.folds = Uint8Array.from(b.folds, (f) => (f ? 1 : 0));
    this.assertions = Int8Array.from(b.assertions);
    this.anyFold = b.folds.some((f) => f);
    const n = b.ops.length;
    this.current = new Int32Array(n);
    this.next = new Int32Array(n);
    this.stack = new Int32Array(n);
    this.marks = new Uint32Array(n);
  }

  private nextGeneration(): void {
    if (this.generation === 0xffffffff) {
      this.marks.fill(0);
      this.generation = 0;
    }
    this.generation++;
  }

  private holds(code: number): boolean {
    const { pos, end, prev, cur } = this;
    switch (code) {
      case 0:
        return pos === 0;
      case 1:
        return pos === end;
      case 2:
        return pos === end || (cur === 10 && pos + 1 === end);
      case 3:
        return pos === 0 || (prev === 10 && pos !== end);
      case 4:
        return pos === end || cur === 10;
      case 5:
        return isWordCode(prev) !== isWordCode(cur);
      default:
        return isWordCode(prev) === isWordCode(cur);
    }
  }

  /** Adds `state` and what it reaches by empty moves at the current position; returns the new length. */
  private add(list: Int32Array, length: number, state: number): number {
    const { ops, out1, out2, marks, stack, generation } = this;
    let top = 0;
    if (marks[state] !== generation) {
      marks[state] = generation;
      stack[top++] = state;
    }
    while (top > 0) {
      const s = stack[--top]!;
      const op = ops[s];
      if (op === OP_SET || op === OP_ANY || op === OP_ANY_DOTALL) {
        list[length++] = s;
        continue;
      }
      if (op === OP_MATCH) {
        this.matched = true;
        continue;
      }
      if (op === OP_ASSERT && !this.holds(this.assertions[s]!)) continue;
      const a = out1[s]!;
      if (marks[a] !== generation) {
        marks[a] = generation;
        stack[top++] = a;
      }
      if (op === OP_SPLIT) {
        const b = out2[s]!;
        if (marks[b] !== generation) {
          marks[b] = generation;
          stack[top++] = b;
        }
      }
    }
    return length;
  }

  test(text: string): boolean {
    if (this.literal !== '' && !text.includes(this.literal)) return false;
    const end = text.length;
    this.end = end;
    this.matched = false;
    this.pos = 0;
    this.prev = -1;
    this.cur = end > 0 ? text.codePointAt(0)! : -1;
    this.nextGeneration();
    let count = this.add(this.current, 0, this.start);
    let pos = 0;
    while (!this.matched && pos < end) {
      const code = this.cur;
      const width = code > 0xffff ? 2 : 1;
      let lower = code;
      let upper = code;
      if (this.anyFold) [lower, upper] = foldPair(code);
      const after = pos + width;
      this.pos = after;
      this.prev = code;
      this.cur = after < end ? text.codePointAt(after)! : -1;
      this.nextGeneration();
      let nextCount = 0;
      for (let k = 0; k < count; k++) {
        const s = this.current[k]!;
        const op = this.ops[s];
        let ok: boolean;
        if (op === OP_ANY_DOTALL) ok = true;
        else if (op === OP_ANY) ok = code !== 10;
        else {
          const set = this.sets[s]!;
          ok = set.has(code) || (this.folds[s] === 1 && (set.has(lower) || set.has(upper)));
        }
        if (ok) nextCount = this.add(this.next, nextCount, this.out1[s]!);
      }
      // a search: a match may also start at the next position
      nextCount = this.add(this.next, nextCount, this.start);
      const swap = this.current;
      this.current = this.next;
      this.next = swap;
      count = nextCount;
      pos = after;
    }
    return this.matched;
  }
}

function foldPair(code: number): [number, number] {
  if (code < 128) {
    if (code >= 65 && code <= 90) return [code + 32, code];
    if (code >= 97 && code <= 122) return [code, code - 32];
    return [code, code];
  }
  const ch = String.fromCodePoint(code);
  const lo = ch.toLowerCase();
  const up = ch.toUpperCase();
  const l = lo.codePointAt(0)!;
  const u = up.codePointAt(0)!;
  return [lo.length === String.fromCodePoint(l).length ? l : code, up.length === String.fromCodePoint(u).length ? u : code];
}

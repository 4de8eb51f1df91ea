import { addCaseVariants, CharSet, MAX_CODE_POINT, normalise } from './charset';
import { RegexSyntaxError } from './errors';

/**
 * The two regex languages trailwatch reads, parsed into one syntax tree:
 *
 * - `cloudwatch`: the subset CloudWatch Logs accepts between `%` signs (user guide,
 *   "Supported regular expressions (regex) syntax"): characters A–Z a–z 0–9, the symbols
 *   `: _ # = @ / ; , -` and space (the guide's own example `%^starting|^initializing|^shutting
 *   down%` has one); operators `^ $ ? [ ] { } | \ * + .`; escapes `\d \D \s \S \w \W`, `\xhh`
 *   and `\` before a symbol or operator. No groups, no multi-byte characters; `.` matches
 *   anything, `$` only at the end, `\s` is RE2's `[\t\n\f\r ]`. Everything else is refused.
 * - `pcre`: Sigma's `re` (modifiers appendix v2.1.0: `.`, `^ $`, `* + ? {n,m}`, classes,
 *   groups, `|`, sub-modifiers `i m s`), plus the escapes and shorthands real rules use.
 *   What needs backtracking or differs between engines is refused by name (backreferences,
 *   lookaround, atomic groups, possessive quantifiers, `\v`, Unicode properties, …).
 *   PCRE semantics kept: `.` is not `\n` unless `s`; `$` and `\Z` also match before a final
 *   `\n`; with `m`, `^` matches after any `\n` but one ending the text and `$` before any
 *   `\n`; `\d \w \s \b` are ASCII (PCRE without UCP), `\s` is `[\t\n\v\f\r ]`; `i` folds
 *   each code point by JavaScript's simple case mapping.
 */
export type Dialect = 'pcre' | 'cloudwatch';

export interface RegexFlags {
  /** Case-insensitive (`re|i`). */
  readonly i?: boolean;
  /** `^`/`$` at line breaks (`re|m`). */
  readonly m?: boolean;
  /** `.` matches `\n` (`re|s`). */
  readonly s?: boolean;
}

/** Largest `{n,m}` bound and group nesting we compile. */
export const MAX_REPEAT = 1000;
const MAX_DEPTH = 100;

export type Assertion = 'start' | 'end' | 'endOrFinalNewline' | 'lineStart' | 'lineEnd' | 'wordBoundary' | 'notWordBoundary';

export type Node =
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

type Shorthands = Readonly<Record<string, CharSet>>;

const DIGIT = [48, 57];
const WORD = [48, 57, 65, 90, 95, 95, 97, 122];
function shorthands(space: readonly number[]): Shorthands {
  // sets are immutable: built once, shared by every regex
  return {
    d: normalise(DIGIT, false),
    D: normalise(DIGIT, true),
    w: normalise(WORD, false),
    W: normalise(WORD, true),
    s: normalise(space, false),
    S: normalise(space, true),
  };
}
// PCRE2 \s: space, \t \n \v \f \r (VT joined in PCRE2 10.x / Perl 5.18); RE2 (CloudWatch) leaves out \v
const PCRE_SHORTHANDS = shorthands([9, 13, 32, 32]);
const CLOUDWATCH_SHORTHANDS = shorthands([9, 10, 12, 13, 32, 32]);
const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { t: 9, n: 10, r: 13, f: 12, e: 27, a: 7 };
const ESCAPE_ASSERTIONS: Readonly<Record<string, Assertion>> = { A: 'start', z: 'end', Z: 'endOrFinalNewline', b: 'wordBoundary', B: 'notWordBoundary' };

/** Characters a CloudWatch regex may contain, per the guide (plus space, see above). */
const CLOUDWATCH_ALLOWED = /^[A-Za-z0-9:_#=@/;,\- ^$?[\]{}|\\*+.]$/;
const CLOUDWATCH_ESCAPABLE = ':_#=@/;,- ^$?[]{}|\\*+.';

/** Parses `source` in `dialect`; throws RegexSyntaxError with a code point position. */
export function parseRegex(source: string, dialect: Dialect, flags: RegexFlags = {}): Node {
  return new Parser(source, dialect).parse({ i: flags.i === true, m: flags.m === true, s: flags.s === true });
}

/** Recursive descent over the pattern's code points. */
class Parser {
  private readonly cps: number[];
  private readonly cw: boolean;
  private readonly shorthands: Shorthands;
  private i = 0;
  private depth = 0;

  constructor(source: string, dialect: Dialect) {
    this.cps = [];
    for (let k = 0; k < source.length; k++) {
      const c = source.codePointAt(k)!;
      this.cps.push(c);
      if (c > 0xffff) k++;
    }
    this.cw = dialect === 'cloudwatch';
    this.shorthands = this.cw ? CLOUDWATCH_SHORTHANDS : PCRE_SHORTHANDS;
  }

  private invalid(what: string, at = this.i): never {
    throw new RegexSyntaxError('invalid', at, what);
  }

  private unsupported(what: string, at = this.i): never {
    throw new RegexSyntaxError('unsupported', at, what);
  }

  private peek(offset = 0): string | undefined {
    const c = this.cps[this.i + offset];
    return c === undefined ? undefined : String.fromCodePoint(c);
  }

  /** The pattern's code points `from` to `to` as a string. */
  private text(from: number, to: number): string {
    return this.cps
      .slice(from, to)
      .map((c) => String.fromCodePoint(c))
      .join('');
  }

  parse(flags: Flags): Node {
    if (this.cw) this.checkCloudWatchCharacters();
    const node = this.alternation({ ...flags });
    if (this.i < this.cps.length) this.invalid(`unbalanced ')'`);
    return node;
  }

  /** CloudWatch refuses the whole regex for one character outside its set, wherever it is. */
  private checkCloudWatchCharacters(): void {
    if (this.cps.length === 0) this.invalid('empty regex %%', 0);
    this.cps.forEach((c, k) => {
      const ch = String.fromCodePoint(c);
      if (CLOUDWATCH_ALLOWED.test(ch)) return;
      const what = c > 127 ? 'multi-byte characters are' : `'${ch}' is`;
      this.invalid(`${what} not supported in a regex (AWS regex subset); write it as \\xhh if it is ASCII`, k);
    });
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
    const begin = this.i;
    const items: Node[] = [];
    for (;;) {
      const ch = this.peek();
      if (ch === undefined || ch === '|' || ch === ')') break;
      const atom = this.atom(flags);
      if (atom === undefined) continue; // an inline flag setting
      items.push(this.quantified(atom));
    }
    if (items.length === 0) {
      if (this.cw) this.invalid('empty alternative in regex', begin);
      return { k: 'empty' };
    }
    return items.length === 1 ? items[0]! : { k: 'cat', items };
  }

  private isQuantifierStart(): boolean {
    const c = this.peek();
    return c === '?' || c === '*' || c === '+' || c === '{';
  }

  private quantified(atom: Node): Node {
    if (this.cw && atom.k === 'assert' && this.isQuantifierStart()) {
      this.invalid(`a quantifier cannot follow the anchor '${atom.a === 'start' ? '^' : '$'}'`);
    }
    const ch = this.peek();
    let min: number;
    let max: number;
    if (ch === '*' || ch === '+' || ch === '?') {
      this.i++;
      min = ch === '+' ? 1 : 0;
      max = ch === '?' ? 1 : Infinity;
    } else if (ch === '{') {
      const bounds = this.cw ? this.cloudWatchBraces() : this.braces();
      if (bounds === undefined) return atom; // a literal '{', as PCRE reads it
      [min, max] = bounds;
    } else {
      return atom;
    }
    if (this.cw) {
      if (this.isQuantifierStart()) this.invalid('a quantifier cannot follow another quantifier');
      return { k: 'rep', item: atom, min, max };
    }
    if (atom.k === 'assert') this.invalid('a quantifier cannot follow an assertion');
    // lazy `?` matches the same set of texts as greedy: a search only asks whether one exists
    if (this.peek() === '?') this.i++;
    else if (this.peek() === '+') this.unsupported('a possessive quantifier');
    const next = this.peek();
    if (next === '*' || next === '+' || next === '?') this.invalid(`nothing to repeat before '${next}'`);
    return { k: 'rep', item: atom, min, max };
  }

  /** PCRE `{n}`, `{n,}`, `{n,m}`; anything else after `{` is a literal brace. */
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

  /** CloudWatch `{m,n}`, `{m}`, `{m,}`, `{,n}` ("either m or n can be omitted"); spaces allowed. */
  private cloudWatchBraces(): [number, number] {
    const open = this.i;
    const close = this.cps.indexOf(125 /* } */, open);
    const body = close < 0 ? '' : this.text(open + 1, close);
    const m = /^ *(\d*) *(?:(,) *(\d*) *)?$/.exec(body);
    if (close < 0 || !m || (m[1] === '' && (m[2] === undefined || m[3] === ''))) {
      this.invalid("'{' must start a repetition {m,n}, {m}, {m,} or {,n} (escape it as \\{ for the character)", open);
    }
    const min = m[1] === '' ? 0 : Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) this.invalid(`repetition bounds above ${MAX_REPEAT} are not supported`, open);
    if (max < min) this.invalid('repetition {m,n} has n < m', open);
    this.i = close + 1;
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
        return { k: 'any', dotAll: this.cw || flags.s };
      case '^':
        this.i++;
        return { k: 'assert', a: flags.m ? 'lineStart' : 'start' };
      case '$':
        this.i++;
        return { k: 'assert', a: this.cw ? 'end' : flags.m ? 'lineEnd' : 'endOrFinalNewline' };
      case '\\':
        return this.escapeAtom(flags);
      case '*':
      case '+':
      case '?':
        return this.cw ? this.invalid(`'${ch}' has nothing to repeat`) : this.invalid(`nothing to repeat before '${ch}'`);
    }
    if (this.cw) {
      if (ch === '{') this.invalid("'{' has nothing to repeat (escape it as \\{ for the character)");
      if (ch === '}' || ch === ']') this.invalid(`unescaped '${ch}' (escape it as \\${ch} for the character)`);
    }
    this.i++;
    return literal(this.cps[this.i - 1]!, flags.i);
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
    if (this.peek() !== ')') this.invalid("unterminated group '('", open);
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
    if (next === undefined) return this.cw ? this.invalid('regex ends with a lone backslash') : this.invalid('a lone backslash at the end');
    if (!this.cw && Object.hasOwn(ESCAPE_ASSERTIONS, next)) {
      this.i += 2;
      return { k: 'assert', a: ESCAPE_ASSERTIONS[next]! };
    }
    const item = this.escape(false);
    return typeof item === 'number' ? literal(item, flags.i) : { k: 'set', set: item, fold: false };
  }

  /** After a `\`: a code point or a shorthand class. */
  private escape(inClass: boolean): number | CharSet {
    const next = this.peek(1)!;
    const shorthand = Object.hasOwn(this.shorthands, next) ? this.shorthands[next] : undefined;
    if (shorthand) {
      this.i += 2;
      return shorthand;
    }
    if (this.cw) return this.cloudWatchEscape(next);
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

  /** CloudWatch: `\xhh` with exactly two digits, or `\` before a symbol or operator. */
  private cloudWatchEscape(next: string): number {
    if (next === 'x') {
      const hex = this.text(this.i + 2, this.i + 4);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) this.invalid('\\x must be followed by two hexadecimal digits');
      this.i += 4;
      return parseInt(hex, 16);
    }
    if (!CLOUDWATCH_ESCAPABLE.includes(next)) this.invalid(`unsupported escape \\${next} (supported: \\d \\D \\s \\S \\w \\W \\xhh, or \\ before a symbol)`);
    this.i += 2;
    return next.codePointAt(0)!;
  }

  private hexEscape(): number {
    const at = this.i;
    this.i += 2;
    let hex: string;
    if (this.peek() === '{') {
      const close = this.cps.indexOf(125, this.i);
      hex = close < 0 ? '' : this.text(this.i + 1, close);
      if (!/^[0-9A-Fa-f]{1,6}$/.test(hex)) this.invalid('\\x{…} needs 1 to 6 hexadecimal digits', at);
      this.i = close + 1;
    } else {
      hex = '';
      while (hex.length < 2 && this.peek() !== undefined && /[0-9A-Fa-f]/.test(this.peek()!)) {
        hex += this.peek();
        this.i++;
      }
      if (hex === '') this.invalid('\\x needs hexadecimal digits', at);
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
      if (ch === undefined) this.invalid(this.cw ? "unterminated character class '['" : "unterminated class '['", open);
      // PCRE reads a ']' first in the class as the character; CloudWatch (RE2) as the end
      if (ch === ']' && (this.cw || !first)) {
        if (first) this.invalid('empty character class', open);
        this.i++;
        break;
      }
      if (!this.cw && ch === '[' && (this.peek(1) === ':' || this.peek(1) === '.' || this.peek(1) === '=')) this.unsupported('POSIX classes such as [:alpha:]');
      first = false;
      const itemAt = this.i;
      const low = this.classItem();
      if (typeof low !== 'number') {
        for (const range of low.ranges) pairs.push(range);
        continue;
      }
      if (this.peek() === '-' && this.peek(1) !== undefined && this.peek(1) !== ']') {
        this.i++;
        const high = this.classItem();
        if (typeof high !== 'number') this.invalid(this.cw ? 'a range cannot end in a shorthand class' : 'a range cannot end in a class', this.cw ? itemAt : this.i);
        if (high < low) this.invalid(this.cw ? 'character range is out of order' : 'character range out of order', this.cw ? itemAt : this.i);
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
      if (this.peek(1) === undefined) this.invalid(this.cw ? 'regex ends with a lone backslash' : 'a lone backslash at the end');
      return this.escape(true);
    }
    return this.cps[this.i++]!;
  }
}

function literal(code: number, fold: boolean): Node {
  if (!fold) return { k: 'set', set: new CharSet([code, code]), fold };
  const pairs = [code, code];
  addCaseVariants(pairs);
  return { k: 'set', set: normalise(pairs, false), fold };
}

import { FilterPatternError } from './errors';

/**
 * The regex subset CloudWatch Logs accepts between `%` signs (CloudWatch Logs user guide,
 * "Supported regular expressions (regex) syntax"):
 * - characters: A–Z a–z 0–9, the symbols `: _ # = @ / ; , -`, and space (the guide's own
 *   example `%^starting|^initializing|^shutting down%` has one);
 * - operators: `^ $ ? [ ] { } | \ * + .`; `(` `)` are not supported, nor multi-byte characters;
 * - escapes: `\d \D \s \S \w \W`, `\xhh`, and `\` before any symbol or operator.
 *
 * Matching is a search (`%Trail%` matches "UpdateTrail"), case-sensitive, and runs a
 * Thompson NFA in one pass: time is linear in the text for a given regex, so no input can
 * cause catastrophic backtracking. We never hand the regex to `RegExp` — without groups
 * `a*a*a*a*b` still backtracks polynomially there.
 */
export interface RegexMatcher {
  /** True if the regex matches somewhere in `text`. Never throws. */
  test(text: string): boolean;
}

/**
 * Largest `{m,n}` bound and NFA size we compile. Matching costs at most text length × states
 * steps; 4,096 states is twice what 1,024 characters of regex need without counted
 * repetition, so only huge `{m,n}` expansions are refused.
 */
const MAX_REPEAT = 1000;
const MAX_STATES = 4096;

const OP_CHAR = 0;
const OP_SPLIT = 1;
const OP_BOL = 2;
const OP_EOL = 3;
const OP_MATCH = 4;
const OP_JUMP = 5;

/** Characters a regex may contain, per the guide (plus space, see above). */
const ALLOWED = /^[A-Za-z0-9:_#=@/;,\- ^$?[\]{}|\\*+.]$/;
const OPERATORS_AND_SYMBOLS = ':_#=@/;,- ^$?[]{}|\\*+.';

/** Membership for code points < 256 by table; `other` answers for everything above. */
interface CharClass {
  readonly table: Uint8Array;
  readonly other: boolean;
}

function emptyTable(): Uint8Array {
  return new Uint8Array(256);
}

function classOf(predicate: (c: number) => boolean, other: boolean): CharClass {
  const table = emptyTable();
  for (let c = 0; c < 256; c++) table[c] = predicate(c) ? 1 : 0;
  return { table, other };
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isWord = (c: number) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
// RE2's Perl class \s = [\t\n\f\r ]; the guide names tab, space and newline.
const isSpace = (c: number) => c === 9 || c === 10 || c === 12 || c === 13 || c === 32;

const SHORTHAND: Readonly<Record<string, CharClass>> = {
  d: classOf(isDigit, false),
  D: classOf((c) => !isDigit(c), true),
  w: classOf(isWord, false),
  W: classOf((c) => !isWord(c), true),
  s: classOf(isSpace, false),
  S: classOf((c) => !isSpace(c), true),
};
const ANY: CharClass = classOf(() => true, true);

interface Fragment {
  start: number;
  /** Unpatched exits, encoded as state * 2 + (0 for out1, 1 for out2). */
  exits: number[];
}

/** Parses the subset and builds the NFA; positions in errors point into the whole pattern. */
class RegexCompiler {
  private i = 0;
  readonly ops: number[] = [];
  readonly out1: number[] = [];
  readonly out2: number[] = [];
  readonly classes: (CharClass | undefined)[] = [];

  constructor(
    private readonly re: string,
    private readonly offset: number,
    private readonly pattern: string,
  ) {}

  private fail(at: number, description: string): never {
    throw new FilterPatternError('InvalidRegex', this.offset + at, this.pattern, description);
  }

  private state(op: number, cls?: CharClass): number {
    if (this.ops.length >= MAX_STATES) this.fail(0, `regex is too large (more than ${MAX_STATES} NFA states)`);
    this.ops.push(op);
    this.out1.push(-1);
    this.out2.push(-1);
    this.classes.push(cls);
    return this.ops.length - 1;
  }

  private patch(exits: readonly number[], target: number): void {
    for (const e of exits) {
      if ((e & 1) === 0) this.out1[e >> 1] = target;
      else this.out2[e >> 1] = target;
    }
  }

  compile(): number {
    if (this.re.length === 0) this.fail(0, 'empty regex %%');
    for (let k = 0; k < this.re.length; k++) {
      const ch = this.re[k]!;
      if (!ALLOWED.test(ch)) {
        const what = ch.charCodeAt(0) > 127 ? 'multi-byte characters are' : `'${ch}' is`;
        this.fail(k, `${what} not supported in a regex (AWS regex subset); write it as \\xhh if it is ASCII`);
      }
    }
    const whole = this.alternation();
    const match = this.state(OP_MATCH);
    this.patch(whole.exits, match);
    return whole.start;
  }

  private alternation(): Fragment {
    let frag = this.branch();
    while (this.i < this.re.length && this.re[this.i] === '|') {
      this.i++;
      const right = this.branch();
      const split = this.state(OP_SPLIT);
      this.out1[split] = frag.start;
      this.out2[split] = right.start;
      frag = { start: split, exits: [...frag.exits, ...right.exits] };
    }
    return frag;
  }

  private branch(): Fragment {
    const begin = this.i;
    let frag: Fragment | undefined;
    while (this.i < this.re.length && this.re[this.i] !== '|') {
      const piece = this.piece();
      if (frag) {
        this.patch(frag.exits, piece.start);
        frag = { start: frag.start, exits: piece.exits };
      } else {
        frag = piece;
      }
    }
    if (!frag) this.fail(begin, 'empty alternative in regex');
    return frag;
  }

  private piece(): Fragment {
    const at = this.i;
    const ch = this.re[this.i]!;
    if (ch === '^' || ch === '$') {
      this.i++;
      if (this.isQuantifierStart()) this.fail(this.i, `a quantifier cannot follow the anchor '${ch}'`);
      const s = this.state(ch === '^' ? OP_BOL : OP_EOL);
      return { start: s, exits: [s * 2] };
    }
    if (ch === '?' || ch === '*' || ch === '+') this.fail(at, `'${ch}' has nothing to repeat`);
    if (ch === '{') this.fail(at, "'{' has nothing to repeat (escape it as \\{ for the character)");
    if (ch === '}' || ch === ']') this.fail(at, `unescaped '${ch}' (escape it as \\${ch} for the character)`);
    return this.quantified(this.atom());
  }

  private isQuantifierStart(): boolean {
    const c = this.re[this.i];
    return c === '?' || c === '*' || c === '+' || c === '{';
  }

  /** One character, `.`, a shorthand or a bracket class; returns its class. */
  private atom(): CharClass {
    const ch = this.re[this.i]!;
    if (ch === '.') {
      this.i++;
      return ANY;
    }
    if (ch === '[') return this.bracket();
    if (ch === '\\') {
      const esc = this.escape();
      return typeof esc === 'number' ? single(esc) : esc;
    }
    this.i++;
    return single(ch.charCodeAt(0));
  }

  /** After a `\`: a code point or a shorthand class. */
  private escape(): number | CharClass {
    const at = this.i;
    const next = this.re[this.i + 1];
    if (next === undefined) this.fail(at, 'regex ends with a lone backslash');
    const shorthand = Object.hasOwn(SHORTHAND, next) ? SHORTHAND[next] : undefined;
    if (shorthand) {
      this.i += 2;
      return shorthand;
    }
    if (next === 'x') {
      const hex = this.re.slice(this.i + 2, this.i + 4);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) this.fail(at, '\\x must be followed by two hexadecimal digits');
      this.i += 4;
      return parseInt(hex, 16);
    }
    if (OPERATORS_AND_SYMBOLS.includes(next)) {
      this.i += 2;
      return next.charCodeAt(0);
    }
    return this.fail(at, `unsupported escape \\${next} (supported: \\d \\D \\s \\S \\w \\W \\xhh, or \\ before a symbol)`);
  }

  private bracket(): CharClass {
    const open = this.i;
    this.i++;
    let negate = false;
    if (this.re[this.i] === '^') {
      negate = true;
      this.i++;
    }
    const table = emptyTable();
    let other = false;
    let items = 0;
    for (;;) {
      const ch = this.re[this.i];
      if (ch === undefined) this.fail(open, "unterminated character class '['");
      if (ch === ']') {
        if (items === 0) this.fail(open, 'empty character class');
        this.i++;
        break;
      }
      const itemAt = this.i;
      const low = this.classItem();
      items++;
      if (typeof low !== 'number') {
        for (let c = 0; c < 256; c++) if (low.table[c]) table[c] = 1;
        other ||= low.other;
        continue;
      }
      // a range a-z, unless '-' is the last character before ']'
      if (this.re[this.i] === '-' && this.re[this.i + 1] !== undefined && this.re[this.i + 1] !== ']') {
        this.i++;
        const high = this.classItem();
        if (typeof high !== 'number') this.fail(itemAt, 'a range cannot end in a shorthand class');
        if (high < low) this.fail(itemAt, 'character range is out of order');
        for (let c = low; c <= high; c++) table[c] = 1;
      } else {
        table[low] = 1;
      }
    }
    if (negate) {
      for (let c = 0; c < 256; c++) table[c] = table[c] ? 0 : 1;
      other = !other;
    }
    return { table, other };
  }

  private classItem(): number | CharClass {
    const ch = this.re[this.i]!;
    if (ch === '\\') return this.escape();
    this.i++;
    return ch.charCodeAt(0);
  }

  private quantified(cls: CharClass): Fragment {
    const c = this.re[this.i];
    let min = 1;
    let max = 1;
    if (c === '?' || c === '*' || c === '+') {
      this.i++;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : Infinity;
    } else if (c === '{') {
      [min, max] = this.braces();
    } else {
      const s = this.state(OP_CHAR, cls);
      return { start: s, exits: [s * 2] };
    }
    if (this.isQuantifierStart()) this.fail(this.i, 'a quantifier cannot follow another quantifier');
    return this.repeat(cls, min, max);
  }

  /** `{m,n}`, `{m}`, `{m,}`, `{,n}` ("either m or n can be omitted"). */
  private braces(): [number, number] {
    const open = this.i;
    const close = this.re.indexOf('}', open);
    const body = close < 0 ? '' : this.re.slice(open + 1, close);
    const m = /^ *(\d*) *(?:(,) *(\d*) *)?$/.exec(body);
    if (close < 0 || !m || (m[1] === '' && (m[2] === undefined || m[3] === ''))) {
      this.fail(open, "'{' must start a repetition {m,n}, {m}, {m,} or {,n} (escape it as \\{ for the character)");
    }
    const min = m[1] === '' ? 0 : Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) {
      this.fail(open, `repetition bounds above ${MAX_REPEAT} are not supported`);
    }
    if (max < min) this.fail(open, 'repetition {m,n} has n < m');
    this.i = close + 1;
    return [min, max];
  }

  /** A single-character atom repeated min..max times (max may be Infinity). */
  private repeat(cls: CharClass, min: number, max: number): Fragment {
    let frag: Fragment | undefined;
    const append = (next: Fragment) => {
      if (frag) {
        this.patch(frag.exits, next.start);
        frag = { start: frag.start, exits: next.exits };
      } else {
        frag = next;
      }
    };
    for (let k = 0; k < min; k++) {
      const s = this.state(OP_CHAR, cls);
      append({ start: s, exits: [s * 2] });
    }
    if (max === Infinity) {
      const s = this.state(OP_CHAR, cls);
      const split = this.state(OP_SPLIT);
      this.out1[split] = s;
      this.out1[s] = split;
      append({ start: split, exits: [split * 2 + 1] });
    } else {
      // x? repeated: the same language as nested (x(x)?)? for one character, and linear in size
      for (let k = min; k < max; k++) {
        const s = this.state(OP_CHAR, cls);
        const split = this.state(OP_SPLIT);
        this.out1[split] = s;
        append({ start: split, exits: [s * 2, split * 2 + 1] });
      }
    }
    if (!frag) {
      // {0} or {0,0}: matches the empty string
      const s = this.state(OP_JUMP);
      frag = { start: s, exits: [s * 2] };
    }
    return frag;
  }
}

function single(code: number): CharClass {
  const table = emptyTable();
  table[code] = 1;
  return { table, other: false };
}

/**
 * Compiles `re` (the text between `%` signs). `offset` is where `re` starts inside
 * `pattern`, so errors point at the right character of the whole filter pattern.
 */
export function compileRegex(re: string, offset: number, pattern: string): RegexMatcher {
  const compiler = new RegexCompiler(re, offset, pattern);
  const start = compiler.compile();
  return new NfaMatcher(
    start,
    Uint8Array.from(compiler.ops),
    Int32Array.from(compiler.out1),
    Int32Array.from(compiler.out2),
    compiler.classes,
  );
}

/**
 * Pike-VM style simulation without captures. The state lists and marks are allocated once
 * per regex and reused: matching is synchronous and calls no user code, so it cannot
 * re-enter itself.
 */
class NfaMatcher implements RegexMatcher {
  private current: Int32Array;
  private next: Int32Array;
  private readonly stack: Int32Array;
  private readonly marks: Uint32Array;
  private generation = 0;
  private matched = false;

  constructor(
    private readonly start: number,
    private readonly ops: Uint8Array,
    private readonly out1: Int32Array,
    private readonly out2: Int32Array,
    private readonly classes: readonly (CharClass | undefined)[],
  ) {
    const n = ops.length;
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

  /** Adds `state` and everything reachable from it by empty moves; returns the new length. */
  private add(list: Int32Array, length: number, state: number, pos: number, end: number): number {
    const { ops, out1, out2, marks, stack, generation } = this;
    let top = 0;
    if (marks[state] !== generation) {
      marks[state] = generation;
      stack[top++] = state;
    }
    while (top > 0) {
      const s = stack[--top]!;
      const op = ops[s];
      if (op === OP_CHAR) {
        list[length++] = s;
        continue;
      }
      if (op === OP_MATCH) {
        this.matched = true;
        continue;
      }
      if (op === OP_BOL && pos !== 0) continue;
      if (op === OP_EOL && pos !== end) continue;
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
    const end = text.length;
    this.matched = false;
    this.nextGeneration();
    let count = this.add(this.current, 0, this.start, 0, end);
    let pos = 0;
    while (!this.matched && pos < end) {
      // step over one code point, so `.` and negated classes see a surrogate pair as one character
      let code = text.charCodeAt(pos);
      let width = 1;
      if (code >= 0xd800 && code <= 0xdbff && pos + 1 < end) {
        const low = text.charCodeAt(pos + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          code = (code - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
          width = 2;
        }
      }
      const after = pos + width;
      this.nextGeneration();
      let nextCount = 0;
      for (let k = 0; k < count; k++) {
        const s = this.current[k]!;
        const cls = this.classes[s]!;
        if (code < 256 ? cls.table[code] === 1 : cls.other) {
          nextCount = this.add(this.next, nextCount, this.out1[s]!, after, end);
        }
      }
      // unanchored search: a match may also start at the next position
      nextCount = this.add(this.next, nextCount, this.start, after, end);
      const swap = this.current;
      this.current = this.next;
      this.next = swap;
      count = nextCount;
      pos = after;
    }
    return this.matched;
  }
}

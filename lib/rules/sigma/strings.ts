/**
 * Sigma string values: wildcards, escaping and case-insensitive matching, as the Sigma
 * rules specification v2.0.0 defines them ("String Wildcard", "Escaping", "General").
 *
 * - `*` is any number of characters, `?` exactly one (one code point here).
 * - A backslash escapes `*`, `?` and itself; before any other character (or at the end)
 *   it is a plain backslash. So `\*` is a literal star, `\\*` a backslash then a wildcard,
 *   `\\\*` a backslash then a literal star, and `C:\Windows` needs no escaping — the same
 *   reading as pySigma's `SigmaString`.
 * - Plain values match the whole field value, case-insensitively ("All values are treated
 *   as case-insensitive strings"); the `cased` modifier makes them case-sensitive.
 *   Case folding is JavaScript's `toLowerCase()` on both sides: Unicode's default mapping,
 *   locale-independent.
 */
export type Piece = { readonly lit: string } | 'star' | 'one';

/** Reads a plain Sigma value into literal text and wildcards. */
export function parseSigmaString(raw: string): Piece[] {
  const pieces: Piece[] = [];
  let acc = '';
  const flush = () => {
    if (acc !== '') pieces.push({ lit: acc });
    acc = '';
  };
  for (let k = 0; k < raw.length; k++) {
    const ch = raw[k]!;
    if (ch === '\\') {
      const next = raw[k + 1];
      if (next === '*' || next === '?' || next === '\\') {
        acc += next;
        k++;
      } else {
        acc += '\\';
      }
    } else if (ch === '*' || ch === '?') {
      flush();
      pieces.push(ch === '*' ? 'star' : 'one');
    } else {
      acc += ch;
    }
  }
  flush();
  return normalisePieces(pieces);
}

/** Literal text as pieces (a number's text, a field reference): no wildcards. */
export function literalPieces(text: string): Piece[] {
  return text === '' ? [] : [{ lit: text }];
}

/** What `contains` / `startswith` / `endswith` do: a `*` before and/or after, unless already there. */
export function wrapWithStars(pieces: readonly Piece[], before: boolean, after: boolean): Piece[] {
  const out = [...pieces];
  if (before && out[0] !== 'star') out.unshift('star');
  if (after && out[out.length - 1] !== 'star') out.push('star');
  return out;
}

/** Adjacent literals merged, runs of `*` collapsed (`**` means what `*` means). */
function normalisePieces(pieces: readonly Piece[]): Piece[] {
  const out: Piece[] = [];
  for (const p of pieces) {
    const last = out[out.length - 1];
    if (p === 'star' && last === 'star') continue;
    if (typeof p === 'object' && typeof last === 'object') out[out.length - 1] = { lit: last.lit + p.lit };
    else out.push(p);
  }
  return out;
}

export function hasWildcards(pieces: readonly Piece[]): boolean {
  return pieces.some((p) => typeof p !== 'object');
}

/** The text of a wildcard-free value. */
export function plainText(pieces: readonly Piece[]): string {
  return pieces.map((p) => (typeof p === 'object' ? p.lit : p === 'star' ? '*' : '?')).join('');
}

/** The value as Sigma would write it again (wildcards bare, literal `*`/`?`/`\` escaped). */
export function sigmaText(pieces: readonly Piece[]): string {
  return pieces.map((p) => (typeof p === 'object' ? p.lit.replace(/[\\*?]/g, (c) => `\\${c}`) : p === 'star' ? '*' : '?')).join('');
}

export type TextTest = (text: string) => boolean;

/** A matcher for the whole of `text`; never throws. */
export function compileGlob(input: readonly Piece[], cased: boolean): TextTest {
  const pieces = normalisePieces(input.map((p) => (typeof p === 'object' && !cased ? { lit: p.lit.toLowerCase() } : p)));
  const fold = cased ? (t: string) => t : (t: string) => t.toLowerCase();
  const only = pieces[0];
  if (!hasWildcards(pieces)) {
    const value = plainText(pieces);
    if (cased) return (t) => t === value;
    const ascii = isAscii(value);
    return (t) => equalsFolded(t, value, ascii);
  }
  if (pieces.length === 1 && only === 'star') return () => true;
  if (pieces.length === 2 || pieces.length === 3) {
    const lits = pieces.filter((p): p is { lit: string } => typeof p === 'object');
    const shape = pieces.map((p) => (typeof p === 'object' ? 'L' : p === 'star' ? '*' : '?')).join('');
    const lit = lits[0]?.lit ?? '';
    if (shape === '*L*') return (t) => fold(t).includes(lit);
    if (shape === 'L*') return (t) => fold(t).startsWith(lit);
    if (shape === '*L') return (t) => fold(t).endsWith(lit);
  }
  const pattern = flatten(pieces);
  return (t) => globTest(pattern, fold(t));
}

const STAR = -1;
const ONE = -2;

function flatten(pieces: readonly Piece[]): Int32Array {
  const codes: number[] = [];
  for (const p of pieces) {
    if (p === 'star') codes.push(STAR);
    else if (p === 'one') codes.push(ONE);
    else for (let k = 0; k < p.lit.length; k++) codes.push(p.lit.charCodeAt(k));
  }
  return Int32Array.from(codes);
}

/** UTF-16 units of the code point at `t`: `?` and a star's growth step over whole code points. */
function width(text: string, t: number): number {
  const c = text.charCodeAt(t);
  if (c >= 0xd800 && c <= 0xdbff && t + 1 < text.length) {
    const d = text.charCodeAt(t + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

/**
 * Wildcard matching with one backtrack point (the last `*`): at most text × pattern steps,
 * never exponential. Backtracking only to the last star is enough because each segment
 * between stars matches a fixed number of code points, so its earliest match is the best.
 */
function globTest(pattern: Int32Array, text: string): boolean {
  const n = text.length;
  const m = pattern.length;
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < n) {
    if (p < m) {
      const c = pattern[p]!;
      if (c === STAR) {
        starP = p++;
        starT = t;
        continue;
      }
      if (c === ONE) {
        t += width(text, t);
        p++;
        continue;
      }
      if (c === text.charCodeAt(t)) {
        p++;
        t++;
        continue;
      }
    }
    if (starP < 0) return false;
    starT += width(text, starT);
    t = starT;
    p = starP + 1;
  }
  while (p < m && pattern[p] === STAR) p++;
  return p === m;
}

function isAscii(s: string): boolean {
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) > 127) return false;
  return true;
}

/**
 * `text.toLowerCase() === lower` without allocating for ASCII texts. When `lower` is ASCII a
 * different length means no match: every code point whose lower case is ASCII is one UTF-16
 * unit (A–Z, and U+212A KELVIN SIGN → k), so lower-casing cannot change an ASCII result's length.
 */
function equalsFolded(text: string, lower: string, lowerIsAscii: boolean): boolean {
  if (text.length !== lower.length) return lowerIsAscii ? false : text.toLowerCase() === lower;
  for (let k = 0; k < text.length; k++) {
    let c = text.charCodeAt(k);
    if (c > 127) return text.toLowerCase() === lower;
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(k)) return false;
  }
  return true;
}

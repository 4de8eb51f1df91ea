/** Code point sets of the regex engine: sorted ranges, an ASCII table, simple case folding. */

export const MAX_CODE_POINT = 0x10ffff;

/**
 * Sorted, disjoint, inclusive code point ranges. No lookup table: the lazy DFA asks `has` only
 * when it builds a transition, and regexes are compiled by the hundred at a cold start.
 */
export class CharSet {
  constructor(readonly ranges: readonly number[]) {}

  has(c: number): boolean {
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
export function normalise(pairs: readonly number[], negate: boolean): CharSet {
  if (pairs.length === 2 && !negate) return new CharSet([pairs[0]!, pairs[1]!]);
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

export const isWordCode = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/**
 * Adds the simple upper/lower case of each code point of small ranges. Large ranges (and
 * negated classes) are matched with the text's case variants at match time instead
 * (`fold` on the node), so both directions are covered without enumerating Unicode.
 */
export function addCaseVariants(pairs: number[]): void {
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

/** The text's code point in lower and upper case (itself where the mapping is not one code point). */
export function foldPair(code: number): [number, number] {
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

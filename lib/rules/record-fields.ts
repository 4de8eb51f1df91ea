import { TextMemo } from './text-memo';

/**
 * Field values shared by every rule within one record. A pack of 200 rules reads
 * `eventSource`, `userAgent` or `userIdentity.arn` dozens of times per record; here each
 * dotted path is walked once per record and its lower-cased text (Sigma's case-insensitive
 * comparisons) computed once, whichever rules ask.
 *
 * Paths get a slot number when rules are compiled (`fieldSlot`). The engine calls
 * `beginRecord` before evaluating a record and `endRecords` after its batch: a slot is valid
 * while its generation equals the current one, so a new record costs one counter increment
 * — no Map or array is allocated per record. A predicate called outside the engine (tests,
 * the rule test runner) reads the record directly, never a value remembered for another one.
 */

/** The path reaches nothing: a missing key, or a string, number, boolean or null on the way. */
export const MISSING: unique symbol = Symbol('missing');
/** An array on the way (before the last key): each front end reads such a record its own way. */
export const ARRAY_ON_PATH: unique symbol = Symbol('array on path');

export type SlotValue = unknown;

const slotOf = new Map<string, number>();
const paths: string[][] = [];
const generations: number[] = [];
const values: unknown[] = [];
const lowerGenerations: number[] = [];
const lowers: string[] = [];
const lowerMemos: TextMemo<string>[] = [];

/**
 * Distinct texts per slot whose lower-cased text is remembered across records. A trail
 * repeats a few hundred event names and sources: the remembered text is found by length and
 * `===` (./text-memo.ts) instead of lower-casing each record's fresh string into another
 * fresh string, which every case-insensitive Set lookup would then hash again. Past this
 * bound (user agents, ARNs, bucket names) the memo starts again, so memory stays bounded.
 */
const LOWER_MEMO_SIZE = 1024;

let current: unknown = MISSING;
let generation = 1;

/** The slot of a dotted path of plain keys (`userIdentity.sessionContext.sessionIssuer.arn`). */
export function fieldSlot(path: string): number {
  const known = slotOf.get(path);
  if (known !== undefined) return known;
  const slot = paths.length;
  slotOf.set(path, slot);
  paths.push(path.split('.'));
  generations.push(0);
  values.push(undefined);
  lowerGenerations.push(0);
  lowers.push('');
  lowerMemos.push(new TextMemo<string>({ capacity: LOWER_MEMO_SIZE }));
  return slot;
}

/** The engine starts evaluating `record`: values remembered for the previous one are stale. */
export function beginRecord(record: unknown): void {
  current = record;
  generation++;
}

/** The engine is done with its batch: nothing is remembered for a record it may no longer own. */
export function endRecords(): void {
  current = MISSING;
  generation++;
}

/**
 * What the slot's path reaches in `record`, through objects by own properties: the value
 * (anything but undefined), `MISSING`, or `ARRAY_ON_PATH`. Allocates nothing.
 */
export function slotValue(record: unknown, slot: number): SlotValue {
  if (record === current && generations[slot] === generation) return values[slot];
  const value = walk(record, paths[slot]!);
  if (record === current) {
    generations[slot] = generation;
    values[slot] = value;
  }
  return value;
}

/**
 * `text.toLowerCase()` for the slot's string value `text`, once per record; inside the engine
 * the same string for the same text across records (`LOWER_MEMO_SIZE`).
 */
export function slotLower(record: unknown, slot: number, text: string): string {
  if (record !== current) return text.toLowerCase();
  if (lowerGenerations[slot] === generation) return lowers[slot]!;
  const memo = lowerMemos[slot]!;
  let lower = memo.get(text);
  if (lower === undefined) {
    lower = text.toLowerCase();
    memo.set(text, lower);
  }
  lowerGenerations[slot] = generation;
  lowers[slot] = lower;
  return lower;
}

function walk(record: unknown, steps: readonly string[]): SlotValue {
  // one `step` per key, stopping at the first MISSING or ARRAY_ON_PATH (a top-level key, as
  // most indexed fields are, reads as fast this way as through a one-step special case:
  // 24 ns either way)
  let node: SlotValue = record;
  for (let k = 0; k < steps.length && node !== MISSING && node !== ARRAY_ON_PATH; k++) node = step(node, steps[k]!);
  return node;
}

/** One key of a path: the own property's value, MISSING (not an object, no such key, undefined), or ARRAY_ON_PATH. */
function step(node: unknown, key: string): SlotValue {
  if (typeof node !== 'object' || node === null) return MISSING;
  if (Array.isArray(node)) return ARRAY_ON_PATH;
  // read first: an absent key (most records have no errorCode) reads undefined without the
  // own-property check, which only a value found needs (`constructor` is the prototype's)
  const value = (node as Record<string, unknown>)[key];
  return value === undefined || !Object.hasOwn(node, key) ? MISSING : value;
}

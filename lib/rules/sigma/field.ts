/**
 * Sigma field names on CloudTrail records: a dot separates nested keys
 * (`userIdentity.type`, `requestParameters.ipPermissions.items.ipRanges.items.cidrIp`), as
 * SigmaHQ's CloudTrail rules write them. Records are untrusted JSON:
 *
 * - own properties only (`Object.hasOwn`), so `__proto__` / `constructor` keys are data and
 *   nothing is read from a prototype;
 * - an array anywhere along the path, or as the value, stands for its elements: the field
 *   has every value any element leads to (`items.cidrIp` over two items has two values),
 *   nested arrays included. A condition on the field holds if it holds for one of them;
 * - a path through anything that is not an object (a string, a number, null) reaches nothing.
 */
export type FieldPath = readonly string[];

/** Splits a Sigma field name; undefined for an empty name or an empty segment (`a..b`). */
export function parseFieldName(name: string): FieldPath | undefined {
  if (name === '') return undefined;
  const steps = name.split('.');
  return steps.every((s) => s !== '') ? steps : undefined;
}

/** What a path reaches in one record. */
export interface FieldValues {
  /** The values reached, arrays flattened into their elements; `null` included. */
  readonly values: readonly unknown[];
  /** The key exists at the end of some branch (even with `null` or `[]` as its value). */
  readonly present: boolean;
  /** Some branch ends before the last key (or the record has no such key at all). */
  readonly absent: boolean;
}

const NOTHING: FieldValues = Object.freeze({ values: Object.freeze([]), present: false, absent: true });

/**
 * Reads a path. Common records have no array on the path, so that walk allocates nothing
 * but the result; arrays take the general walk with an explicit stack (no recursion, so
 * deeply nested arrays cannot overflow the call stack).
 */
export function readField(record: unknown, path: FieldPath): FieldValues {
  let node: unknown = record;
  for (let k = 0; k < path.length; k++) {
    if (Array.isArray(node)) return readFanOut(record, path);
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, path[k]!)) return NOTHING;
    node = (node as Record<string, unknown>)[path[k]!];
  }
  if (Array.isArray(node)) return readFanOut(record, path);
  return { values: [node], present: true, absent: false };
}

function readFanOut(record: unknown, path: FieldPath): FieldValues {
  const values: unknown[] = [];
  let present = false;
  let absent = false;
  const nodes: unknown[] = [record];
  const depths: number[] = [0];
  while (nodes.length > 0) {
    const node = nodes.pop();
    const depth = depths.pop()!;
    if (Array.isArray(node)) {
      if (depth === path.length) present = true;
      else if (node.length === 0) absent = true;
      for (let k = node.length - 1; k >= 0; k--) {
        nodes.push(node[k]);
        depths.push(depth);
      }
      continue;
    }
    if (depth === path.length) {
      present = true;
      values.push(node);
      continue;
    }
    const key = path[depth]!;
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) {
      absent = true;
      continue;
    }
    nodes.push((node as Record<string, unknown>)[key]);
    depths.push(depth + 1);
  }
  return { values, present, absent };
}

/**
 * A field value as Sigma string matching sees it: strings as they are, finite numbers as
 * JavaScript writes them, booleans as `true`/`false` ("All values are treated as
 * case-insensitive strings"). Objects and null have no text.
 */
export function valueText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return undefined;
}

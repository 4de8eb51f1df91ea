/**
 * Dotted field paths for `threshold.groupBy` and `dedupKey`: `sourceIPAddress`,
 * `userIdentity.arn`, `resources[0].ARN`, `requestParameters.x-amz-acl[0]`. The same
 * reading rules as filter-pattern selectors: own properties only, a name reads only
 * objects, an index only arrays, and a path through anything else reaches nothing.
 */

type Step = string | number;

/** Letters, digits and `_ - @ : $` per name (CloudTrail keys such as `x-amz-acl`), then any `[n]`. */
const PART = /^([A-Za-z0-9_@:$-]+)((?:\[\d+\])*)$/;

/** Parses a path, or returns undefined when it is not one. */
export function parseFieldPath(path: string): Step[] | undefined {
  if (path === '' || path.length > 256) return undefined;
  const steps: Step[] = [];
  for (const part of path.split('.')) {
    const m = PART.exec(part);
    if (m === null) return undefined;
    steps.push(m[1] as string);
    for (const index of (m[2] ?? '').matchAll(/\[(\d+)\]/g)) steps.push(Number(index[1]));
  }
  return steps;
}

export function isFieldPath(path: string): boolean {
  return parseFieldPath(path) !== undefined;
}

/** Reads a path from a record; undefined for absent (or null) values. */
export type FieldReader = (record: unknown) => unknown;

export function fieldReader(path: string): FieldReader {
  const steps = parseFieldPath(path);
  if (steps === undefined) throw new RangeError(`not a field path: ${path}`);
  return (record) => {
    let node: unknown = record;
    for (const step of steps) {
      if (typeof node !== 'object' || node === null) return undefined;
      if (typeof step === 'number') {
        if (!Array.isArray(node)) return undefined;
        node = node[step];
      } else {
        if (Array.isArray(node) || !Object.hasOwn(node, step)) return undefined;
        node = (node as Record<string, unknown>)[step];
      }
    }
    return node ?? undefined;
  };
}

/**
 * A field value as text for a grouping or de-duplication key: strings as they are, numbers
 * and booleans spelled out, objects and arrays as JSON; undefined when absent or null.
 */
export function keyText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

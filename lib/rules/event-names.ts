import type { FilterExpression } from './filter-pattern';

/**
 * The event names a filter pattern can match, when the pattern itself guarantees it, so the
 * engine evaluates a rule only for records with one of those names. Sound by construction:
 *
 * - `$.eventName = Name` (exact text, no `*`, not a number or regex) is true only when the
 *   record's eventName, as text (a string, or a finite number's JavaScript text: how the
 *   compiler compares), equals `Name`: the set {Name}.
 * - `a && b` is true only if both are: any operand's set holds; we take the intersection.
 * - `a || b` is true only if one is: the union, and only when *every* operand has a set.
 * - anything else (`!=`, wildcards, `NOT EXISTS`, other fields) guarantees nothing.
 *
 * Returns undefined when no such set exists; the rule is then evaluated for every record.
 */
export function requiredEventNames(expression: FilterExpression): ReadonlySet<string> | undefined {
  switch (expression.kind) {
    case 'compare': {
      const { selector, operator, value } = expression;
      const onEventName = selector.steps.length === 1 && selector.steps[0]?.kind === 'key' && selector.steps[0].key === 'eventName';
      if (!onEventName || operator !== '=' || value.kind !== 'glob' || value.leadingStar || value.trailingStar) return undefined;
      return new Set([value.text]);
    }
    case 'and': {
      let names: Set<string> | undefined;
      for (const operand of expression.operands) {
        const own = requiredEventNames(operand);
        if (own === undefined) continue;
        names = names === undefined ? new Set(own) : new Set([...names].filter((n) => own.has(n)));
      }
      return names;
    }
    case 'or': {
      const names = new Set<string>();
      for (const operand of expression.operands) {
        const own = requiredEventNames(operand);
        if (own === undefined) return undefined;
        for (const n of own) names.add(n);
      }
      return names;
    }
    default:
      return undefined;
  }
}

/** The text the compiler compares an eventName as: strings as they are, finite numbers as JavaScript text. */
export function eventNameText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * Figures of repeated measurements, as every benchmark here prints them. The median of an
 * even count is the upper of the two middle values, not their mean: a time that was measured.
 */

/** The `q` (0 to 1) quantile of values sorted ascending: the value at ⌊q·n⌋, the largest for q = 1. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/** The median of `xs`, in any order (left as it is). */
export function median(xs: readonly number[]): number {
  return quantile([...xs].sort((a, b) => a - b), 0.5);
}

/**
 * Bounded heavy-hitter counting (Space-Saving, Metwally et al. 2005): at most `capacity`
 * values are tracked, so a file with a million distinct user agents costs the same memory as
 * one with three. Every value seen at least N/capacity times is kept; a kept value's count
 * may be over-estimated by at most `error` (the count of the value it replaced), which is
 * reported so attributions never claim more precision than they have.
 *
 * Exact while the number of distinct values stays within capacity (the usual case: an API
 * sees a handful of callers, agents and error codes in five minutes).
 */
export interface TopValue {
  readonly value: string;
  readonly count: number;
  /** Upper bound of the over-count (0 when exact). */
  readonly error: number;
}

export class TopK {
  private readonly counts = new Map<string, { count: number; error: number }>();
  private total = 0;

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`top-k capacity must be a positive integer, got ${capacity}`);
  }

  add(value: string, by = 1): void {
    this.total += by;
    const entry = this.counts.get(value);
    if (entry !== undefined) {
      entry.count += by;
      return;
    }
    if (this.counts.size < this.capacity) {
      this.counts.set(value, { count: by, error: 0 });
      return;
    }
    // Replace the smallest: O(capacity), and capacity is small (tens).
    let minValue = '';
    let min: { count: number; error: number } | undefined;
    for (const [v, e] of this.counts) {
      if (min === undefined || e.count < min.count) {
        min = e;
        minValue = v;
      }
    }
    if (min === undefined) return;
    this.counts.delete(minValue);
    this.counts.set(value, { count: min.count + by, error: min.count });
  }

  /** Observations added, tracked or not. */
  get observed(): number {
    return this.total;
  }

  /** The `k` largest counts, largest first; ties by value so output is deterministic. */
  top(k: number): TopValue[] {
    return [...this.counts]
      .map(([value, e]) => ({ value, count: e.count, error: e.error }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
      .slice(0, Math.max(0, k));
  }
}

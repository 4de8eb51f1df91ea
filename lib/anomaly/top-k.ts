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
  /**
   * Parallel arrays in insertion order, not a Map of entry objects: `add` runs up to three
   * times per record, and a scan of at most `capacity` (16) values allocates nothing. A
   * replaced value moves to the end, the order a Map's delete + set gives, so ties between
   * smallest counts evict the value that entered first.
   */
  private readonly values: string[] = [];
  private readonly counts: number[] = [];
  private readonly errors: number[] = [];
  private total = 0;

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`top-k capacity must be a positive integer, got ${capacity}`);
  }

  add(value: string, by = 1): void {
    this.total += by;
    const { values, counts, errors } = this;
    const n = values.length;
    for (let i = 0; i < n; i++) {
      if (values[i] === value) {
        counts[i] = (counts[i] as number) + by;
        return;
      }
    }
    if (n < this.capacity) {
      values.push(value);
      counts.push(by);
      errors.push(0);
      return;
    }
    // Replace the smallest (the first of equal ones): O(capacity), and capacity is small (tens).
    let min = 0;
    for (let i = 1; i < n; i++) if ((counts[i] as number) < (counts[min] as number)) min = i;
    const floor = counts[min] as number;
    for (let i = min; i < n - 1; i++) {
      values[i] = values[i + 1] as string;
      counts[i] = counts[i + 1] as number;
      errors[i] = errors[i + 1] as number;
    }
    values[n - 1] = value;
    counts[n - 1] = floor + by;
    errors[n - 1] = floor;
  }

  /** Observations added, tracked or not. */
  get observed(): number {
    return this.total;
  }

  /** The `k` largest counts, largest first; ties by value so output is deterministic. */
  top(k: number): TopValue[] {
    return this.values
      .map((value, i) => ({ value, count: this.counts[i] as number, error: this.errors[i] as number }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
      .slice(0, Math.max(0, k));
  }
}

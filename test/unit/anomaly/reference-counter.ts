/**
 * The straightforward counter the optimised one (lib/anomaly/counting.ts) replaced: Maps of
 * string ids, a Map of per-minute objects per API, a Map-based Space-Saving top-k. Kept for
 * the differential test only, as the statement of what counting means. One deliberate
 * change from the original: eventTime is read with parseEventTime (as the forwarder reads
 * it) instead of Date.parse, which took loose forms (`"2026"`, `"Dec 4"`) and times before 1970.
 */
import { apiId, isCountableName } from '../../../lib/anomaly/api';
import { type ApiWindowCounts, type CountingOptions, type Counts, type DeliveryCounts, type SkippedRecords, DEFAULT_COUNTING_OPTIONS, coverMinutes, hourOf } from '../../../lib/anomaly/counting';
import type { TopValue } from '../../../lib/anomaly/top-k';
import type { CloudTrailRecord, TrailRecord } from '../../../lib/cloudtrail/types';
import { parseEventTime } from '../../../lib/forward/event-time';

export class ReferenceTopK {
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

export interface ReferenceApiCounts extends Omit<ApiWindowCounts, 'byMinute' | 'userIdentityArn' | 'userAgent' | 'errorCode'> {
  readonly byMinute: Map<number, Counts>;
  readonly userIdentityArn: ReferenceTopK;
  readonly userAgent: ReferenceTopK;
  readonly errorCode: ReferenceTopK;
}

export interface ReferenceCounts extends Omit<DeliveryCounts, 'apis'> {
  readonly apis: ReadonlyMap<string, ReferenceApiCounts>;
}

const MAX_VALUE_LENGTH = 256;
const COUNTED_EVENT_TYPES = new Set(['AwsApiCall', 'AwsConsoleAction']);

export class ReferenceCounter {
  private readonly apis = new Map<string, ReferenceApiCounts>();
  private readonly skipped: SkippedRecords = { notApiCall: 0, dataEvent: 0, undated: 0, unnamed: 0, overflow: 0, late: 0 };
  private counted = 0;

  constructor(private readonly options: CountingOptions = DEFAULT_COUNTING_OPTIONS) {}

  observe(records: readonly TrailRecord[]): void {
    for (const { record } of records) this.add(record);
  }

  add(record: CloudTrailRecord): void {
    const type = record.eventType;
    if (type !== undefined && type !== null && !COUNTED_EVENT_TYPES.has(type)) {
      this.skipped.notApiCall++;
      return;
    }
    if (this.options.managementOnly && (record.managementEvent === false || record.eventCategory === 'Data')) {
      this.skipped.dataEvent++;
      return;
    }
    const { eventSource, eventName } = record;
    if (!isCountableName(eventSource) || !isCountableName(eventName)) {
      this.skipped.unnamed++;
      return;
    }
    const time = parseEventTime(record.eventTime);
    if (time === undefined) {
      this.skipped.undated++;
      return;
    }
    const id = apiId({ eventSource, eventName });
    let api = this.apis.get(id);
    if (api === undefined) {
      if (this.apis.size >= this.options.maxApis) {
        this.skipped.overflow++;
        return;
      }
      const k = this.options.topKCapacity;
      api = {
        id, eventSource, eventName, calls: 0, writes: 0, errors: 0, byMinute: new Map(),
        userIdentityArn: new ReferenceTopK(k), userAgent: new ReferenceTopK(k), errorCode: new ReferenceTopK(k),
      };
      this.apis.set(id, api);
    }
    const minute = Math.floor(time / 60_000);
    let m = api.byMinute.get(minute);
    if (m === undefined) {
      m = { calls: 0, writes: 0, errors: 0 };
      api.byMinute.set(minute, m);
    }
    const write = record.readOnly === false ? 1 : 0;
    const errorCode = typeof record.errorCode === 'string' && record.errorCode !== '' ? record.errorCode : undefined;
    const error = errorCode === undefined ? 0 : 1;
    m.calls++;
    m.writes += write;
    m.errors += error;
    api.calls++;
    api.writes += write;
    api.errors += error;
    api.userIdentityArn.add(cut(principalOf(record)));
    if (typeof record.userAgent === 'string' && record.userAgent !== '') api.userAgent.add(cut(record.userAgent));
    if (errorCode !== undefined) api.errorCode.add(cut(errorCode));
    this.counted++;
  }

  /**
   * The delivery's counts, restricted to its `maxHours` busiest UTC hours (ties: the later
   * hour): a file normally spans five minutes and at most two hours, and a record hours late
   * must not make one delivery write to many baseline items.
   */
  result(): ReferenceCounts {
    const perHour = new Map<number, number>();
    for (const api of this.apis.values()) {
      for (const [minute, c] of api.byMinute) perHour.set(hourOf(minute), (perHour.get(hourOf(minute)) ?? 0) + c.calls);
    }
    const kept = new Set(
      [...perHour].sort((a, b) => b[1] - a[1] || b[0] - a[0]).slice(0, this.options.maxHours).map(([hour]) => hour),
    );
    const skipped = { ...this.skipped };
    let counted = this.counted;
    const apis = new Map<string, ReferenceApiCounts>();
    for (const [id, api] of this.apis) {
      for (const [minute, c] of [...api.byMinute]) {
        if (kept.has(hourOf(minute))) continue;
        api.byMinute.delete(minute);
        api.calls -= c.calls;
        api.writes -= c.writes;
        api.errors -= c.errors;
        skipped.late += c.calls;
        counted -= c.calls;
      }
      if (api.calls > 0) apis.set(id, api);
    }
    const minutesWithRecords = new Set<number>();
    for (const api of apis.values()) for (const minute of api.byMinute.keys()) minutesWithRecords.add(minute);
    return {
      apis,
      coveredMinutes: coverMinutes([...minutesWithRecords], this.options.maxGapMinutes),
      counted,
      skipped,
    };
  }
}

function principalOf(record: CloudTrailRecord): string {
  const identity = record.userIdentity;
  if (identity === undefined || identity === null) return '(none)';
  if (typeof identity.arn === 'string' && identity.arn !== '') return identity.arn;
  if (typeof identity.invokedBy === 'string' && identity.invokedBy !== '') return identity.invokedBy;
  return typeof identity.type === 'string' ? `(${identity.type})` : '(unknown)';
}

function cut(value: string): string {
  return value.length > MAX_VALUE_LENGTH ? `${value.slice(0, MAX_VALUE_LENGTH)}…` : value;
}

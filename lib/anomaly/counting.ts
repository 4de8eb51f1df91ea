/**
 * Per-delivery counting: one pass over the records of a file, per API and per minute,
 * calls, write calls and calls with an error code, plus bounded top-k attributions. Pure and
 * total: an odd record is skipped with a counted reason, never an exception.
 */
import type { CloudTrailRecord, TrailRecord } from '../cloudtrail/types';
import { type ApiRef, apiId, isCountableName } from './api';
import { TopK } from './top-k';

export interface Counts {
  calls: number;
  writes: number;
  errors: number;
}

export interface ApiWindowCounts extends ApiRef, Counts {
  readonly id: string;
  /** Minute number (ms since epoch / 60,000) → counts of that minute. */
  readonly byMinute: Map<number, Counts>;
  readonly userIdentityArn: TopK;
  readonly userAgent: TopK;
  /** Error codes of the calls that failed. */
  readonly errorCode: TopK;
}

export interface SkippedRecords {
  /** Not an API call: AwsServiceEvent, AwsConsoleSignIn, Insights events, … */
  notApiCall: number;
  /** Data events, when only management events are analysed (as CloudTrail Insights does by default). */
  dataEvent: number;
  /** No parseable eventTime. */
  undated: number;
  /** No eventSource/eventName, or one longer than any AWS API name. */
  unnamed: number;
  /** More distinct APIs in the file than `maxApis`. */
  overflow: number;
  /** Outside the hours kept for this delivery (late stragglers), see `maxHours`. */
  late: number;
}

export interface CountingOptions {
  /** Distinct APIs counted per delivery; bounds memory and DynamoDB writes. */
  readonly maxApis: number;
  /** Values tracked per attribution (Space-Saving capacity). */
  readonly topKCapacity: number;
  readonly managementOnly: boolean;
  /** Distinct UTC hours a delivery may write to; records of other hours are `late`. */
  readonly maxHours: number;
  /** Gaps between minutes with records up to this long count as covered (quiet minutes, not missing data). */
  readonly maxGapMinutes: number;
}

export const DEFAULT_COUNTING_OPTIONS: CountingOptions = {
  maxApis: 500,
  topKCapacity: 16,
  managementOnly: true,
  maxHours: 3,
  maxGapMinutes: 10,
};

/** Attribution values are untrusted and unbounded; a longer one is cut (an ARN is at most 2,048 chars). */
const MAX_VALUE_LENGTH = 256;
const COUNTED_EVENT_TYPES = new Set(['AwsApiCall', 'AwsConsoleAction']);

export class DeliveryCounter {
  private readonly apis = new Map<string, ApiWindowCounts>();
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
    const time = typeof record.eventTime === 'string' ? Date.parse(record.eventTime) : Number.NaN;
    if (!Number.isFinite(time)) {
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
        userIdentityArn: new TopK(k), userAgent: new TopK(k), errorCode: new TopK(k),
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
  result(): DeliveryCounts {
    const perHour = new Map<number, number>();
    for (const api of this.apis.values()) {
      for (const [minute, c] of api.byMinute) perHour.set(hourOf(minute), (perHour.get(hourOf(minute)) ?? 0) + c.calls);
    }
    const kept = new Set(
      [...perHour].sort((a, b) => b[1] - a[1] || b[0] - a[0]).slice(0, this.options.maxHours).map(([hour]) => hour),
    );
    const skipped = { ...this.skipped };
    let counted = this.counted;
    const apis = new Map<string, ApiWindowCounts>();
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

export interface DeliveryCounts {
  readonly apis: ReadonlyMap<string, ApiWindowCounts>;
  /** Sorted minute numbers the delivery covers: minutes with records, and short gaps between them. */
  readonly coveredMinutes: readonly number[];
  readonly counted: number;
  readonly skipped: SkippedRecords;
}

export function hourOf(minute: number): number {
  return Math.floor(minute / 60);
}

/**
 * Minutes the file speaks for. CloudTrail writes no file for minutes without events, so a
 * quiet minute inside a file's span is a real zero while a long gap (a record delivered
 * hours late) is not: gaps up to `maxGap` minutes are filled, longer ones are not.
 */
export function coverMinutes(minutes: readonly number[], maxGap: number): number[] {
  const sorted = [...new Set(minutes)].sort((a, b) => a - b);
  const out: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const minute = sorted[i] as number;
    const previous = sorted[i - 1];
    if (previous !== undefined && minute - previous - 1 <= maxGap) {
      for (let m = previous + 1; m < minute; m++) out.push(m);
    }
    out.push(minute);
  }
  return out;
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

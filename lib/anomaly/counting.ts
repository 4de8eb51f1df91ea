/**
 * Per-delivery counting: one pass over the records of a file, per API and per minute,
 * calls, write calls and calls with an error code, plus bounded top-k attributions. Pure and
 * total: an odd record is skipped with a counted reason, never an exception.
 */
import type { CloudTrailRecord, TrailRecord } from '../cloudtrail/types';
import { parseEventTime } from '../forward/event-time';
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

/**
 * Minutes counted in place per API: the hour of the first counted record, the one before and
 * the one after (a delivery spans five minutes, at most two hours). Records of other hours
 * are logged and counted in `result`.
 */
const WINDOW_MINUTES = 180;
/** Entries per block of the log of records outside the window: api index, minute, flags. */
const LOG_BLOCK = 4096;
const WRITE = 1;
const ERROR = 2;

/** One API's running counts. Per-minute counts live in an array, not a Map of objects: `add` runs once per record. */
interface ApiCounter {
  readonly id: string;
  /** Position in the counter's list, for the log of records outside the window. */
  readonly index: number;
  readonly eventSource: string;
  readonly eventName: string;
  calls: number;
  writes: number;
  errors: number;
  /** [calls, writes, errors] per minute of the counter's window, allocated at the API's first record in it. */
  window: Int32Array | undefined;
  readonly userIdentityArn: TopK;
  readonly userAgent: TopK;
  readonly errorCode: TopK;
}

/**
 * Counts one delivery. `add` allocates nothing for a record of a known API in the window:
 * the time is read with parseEventTime (no Date, no string), the API is found through
 * an eventName map and an eventSource compare (no id string built per record), and the minute is an array
 * index. The result has the same shape as a plain Map-of-minutes counter would give
 * (test/unit/anomaly/reference-counter.ts is that counter, checked against this one).
 */
export class DeliveryCounter {
  /**
   * eventName → the counters of that name (nearly always one): one Map lookup per record, the
   * eventSource then compared as a string, which costs less than hashing the fresh string for
   * a second Map; no id string built per record.
   */
  private readonly byName = new Map<string, ApiCounter[]>();
  /** In first-seen order, as the result lists them. */
  private readonly apis: ApiCounter[] = [];
  private readonly skipped: SkippedRecords = { notApiCall: 0, dataEvent: 0, undated: 0, unnamed: 0, overflow: 0, late: 0 };
  private counted = 0;
  /** First minute of the window, set by the first counted record; NaN before it. */
  private windowStart = Number.NaN;
  /**
   * Records outside the window: (api index, minute, flags) triples in blocks of LOG_BLOCK.
   * Float64: a minute number passes 2^31 in the year 6053, and parseEventTime reads to 9999.
   */
  private readonly outside: Float64Array[] = [];
  private outsideInLast = LOG_BLOCK;

  constructor(private readonly options: CountingOptions = DEFAULT_COUNTING_OPTIONS) {}

  observe(records: readonly TrailRecord[]): void {
    for (let i = 0; i < records.length; i++) this.add((records[i] as TrailRecord).record);
  }

  add(record: CloudTrailRecord): void {
    const type = record.eventType;
    if (type !== undefined && type !== null && type !== 'AwsApiCall' && type !== 'AwsConsoleAction') {
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
    const api = this.apiFor(eventSource, eventName);
    if (api === undefined) {
      this.skipped.overflow++;
      return;
    }
    const minute = Math.floor(time / 60_000);
    const write = record.readOnly === false ? 1 : 0;
    const errorCode = typeof record.errorCode === 'string' && record.errorCode !== '' ? record.errorCode : undefined;
    const error = errorCode === undefined ? 0 : 1;
    if (Number.isNaN(this.windowStart)) this.windowStart = (hourOf(minute) - 1) * 60;
    const offset = minute - this.windowStart;
    if (offset >= 0 && offset < WINDOW_MINUTES) {
      const w = (api.window ??= new Int32Array(WINDOW_MINUTES * 3));
      const at = offset * 3;
      w[at] = (w[at] as number) + 1;
      w[at + 1] = (w[at + 1] as number) + write;
      w[at + 2] = (w[at + 2] as number) + error;
    } else {
      this.logOutside(api.index, minute, write * WRITE + error * ERROR);
    }
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
   * must not make one delivery write to many baseline items. Builds new objects: calling it
   * twice gives the same answer.
   */
  result(): DeliveryCounts {
    const perHour = this.callsPerHour();
    const kept = new Set(
      [...perHour].sort((a, b) => b[1] - a[1] || b[0] - a[0]).slice(0, this.options.maxHours).map(([hour]) => hour),
    );
    const { byMinute, late } = this.minutesPerApi(kept);
    const skipped = { ...this.skipped };
    let counted = this.counted;
    const apis = new Map<string, ApiWindowCounts>();
    const minutesWithRecords = new Set<number>();
    this.apis.forEach((api, i) => {
      const lateCalls = late[i * 3] as number;
      skipped.late += lateCalls;
      counted -= lateCalls;
      if (api.calls === lateCalls) return;
      const minutes = byMinute[i] as Map<number, Counts>;
      for (const minute of minutes.keys()) minutesWithRecords.add(minute);
      apis.set(api.id, {
        id: api.id, eventSource: api.eventSource, eventName: api.eventName,
        calls: api.calls - lateCalls, writes: api.writes - (late[i * 3 + 1] as number), errors: api.errors - (late[i * 3 + 2] as number),
        byMinute: minutes, userIdentityArn: api.userIdentityArn, userAgent: api.userAgent, errorCode: api.errorCode,
      });
    });
    return {
      apis,
      coveredMinutes: coverMinutes([...minutesWithRecords], this.options.maxGapMinutes),
      counted,
      skipped,
    };
  }

  /** The counter of this API, registered on its first record; undefined when `maxApis` are already counted. */
  private apiFor(eventSource: string, eventName: string): ApiCounter | undefined {
    const named = this.byName.get(eventName);
    if (named !== undefined) {
      for (let i = 0; i < named.length; i++) if ((named[i] as ApiCounter).eventSource === eventSource) return named[i];
    }
    if (this.apis.length >= this.options.maxApis) return undefined;
    const k = this.options.topKCapacity;
    const api: ApiCounter = {
      id: apiId({ eventSource, eventName }), index: this.apis.length, eventSource, eventName, calls: 0, writes: 0, errors: 0, window: undefined,
      userIdentityArn: new TopK(k), userAgent: new TopK(k), errorCode: new TopK(k),
    };
    if (named === undefined) this.byName.set(eventName, [api]);
    else named.push(api);
    this.apis.push(api);
    return api;
  }

  private logOutside(api: number, minute: number, flags: number): void {
    let block = this.outside[this.outside.length - 1];
    if (block === undefined || this.outsideInLast === LOG_BLOCK) {
      block = new Float64Array(LOG_BLOCK * 3);
      this.outside.push(block);
      this.outsideInLast = 0;
    }
    const at = this.outsideInLast++ * 3;
    block[at] = api;
    block[at + 1] = minute;
    block[at + 2] = flags;
  }

  /** Calls per UTC hour, all APIs: from the windows and the log of records of other hours. */
  private callsPerHour(): Map<number, number> {
    const perHour = new Map<number, number>();
    const add = (hour: number, calls: number) => perHour.set(hour, (perHour.get(hour) ?? 0) + calls);
    for (const api of this.apis) {
      const w = api.window;
      if (w === undefined) continue;
      for (let offset = 0; offset < WINDOW_MINUTES; offset++) if ((w[offset * 3] as number) > 0) add(hourOf(this.windowStart + offset), w[offset * 3] as number);
    }
    this.forEachOutside((_api, minute) => add(hourOf(minute), 1));
    return perHour;
  }

  /**
   * Each API's counts per minute of the `kept` hours, in minute order, and its calls, writes
   * and errors of the other hours (late: [calls, writes, errors] per API). A minute of the
   * window and a record of the log take the same path, `tally`. A record of an hour not kept
   * costs no Map entry: a file spread over days costs one pass, not a Map of its minutes.
   */
  private minutesPerApi(kept: ReadonlySet<number>): { byMinute: Array<Map<number, Counts>>; late: Float64Array } {
    const late = new Float64Array(this.apis.length * 3);
    const byMinute = this.apis.map(() => new Map<number, Counts>());
    const tally = (i: number, minute: number, calls: number, writes: number, errors: number): void => {
      if (!kept.has(hourOf(minute))) {
        late[i * 3] = (late[i * 3] as number) + calls;
        late[i * 3 + 1] = (late[i * 3 + 1] as number) + writes;
        late[i * 3 + 2] = (late[i * 3 + 2] as number) + errors;
        return;
      }
      const minutes = byMinute[i] as Map<number, Counts>;
      const c = minutes.get(minute);
      if (c === undefined) {
        minutes.set(minute, { calls, writes, errors });
      } else {
        c.calls += calls;
        c.writes += writes;
        c.errors += errors;
      }
    };
    this.apis.forEach((api, i) => {
      const w = api.window;
      if (w === undefined) return;
      for (let offset = 0; offset < WINDOW_MINUTES; offset++) {
        const calls = w[offset * 3] as number;
        if (calls > 0) tally(i, this.windowStart + offset, calls, w[offset * 3 + 1] as number, w[offset * 3 + 2] as number);
      }
    });
    this.forEachOutside((i, minute, flags) => tally(i, minute, 1, flags & WRITE ? 1 : 0, flags & ERROR ? 1 : 0));
    return { byMinute: byMinute.map((minutes) => new Map([...minutes].sort((a, b) => a[0] - b[0]))), late };
  }

  private forEachOutside(visit: (api: number, minute: number, flags: number) => void): void {
    this.outside.forEach((block, b) => {
      const entries = b === this.outside.length - 1 ? this.outsideInLast : LOG_BLOCK;
      for (let e = 0; e < entries; e++) visit(block[e * 3] as number, block[e * 3 + 1] as number, block[e * 3 + 2] as number);
    });
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

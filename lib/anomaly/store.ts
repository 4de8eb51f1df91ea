/**
 * The port to the state that outlives an invocation: per-hour counters that form the
 * baseline, and the latest anomaly of each (type, API) so Start is emitted once and End
 * later. The DynamoDB adapter is `lib/aws/dynamodb-baseline-store.ts`; tests use
 * `MemoryBaselineStore`. Every write is atomic and conditional, so concurrent invocations
 * for the same account-region neither lose nor double-count, and a repeated delivery of the
 * same object (S3 notifications are at-least-once) is counted once.
 */
import type { ApiRef, InsightType, Scope } from './api';
import type { Attribution } from './insight-finding';

/** Hours since the epoch (UTC): the baseline's bucket. */
export type HourNumber = number;

/** One API's counters in one hour bucket. Absent API = all zero. */
export interface BucketApiCounts {
  readonly calls: number;
  readonly writes: number;
  readonly errors: number;
  /** Minutes of this hour in which the API had an open anomaly: its counts for them are in `excluded*`, not above. */
  readonly excludedMinutes: number;
  /** Error code → count (normal minutes only). */
  readonly errorCodes: ReadonlyMap<string, number>;
}

export interface HourBucket {
  readonly hour: HourNumber;
  /** Distinct minutes of the hour that some delivery covered for the account-region. */
  readonly minutes: number;
  /**
   * The counters of one API (by `apiId`), undefined when it had none this hour. A lookup,
   * not a listing: the DynamoDB adapter names counters by a hash of the id to keep items small.
   */
  counts(apiId: string): BucketApiCounts | undefined;
}

/** What one delivery adds to one API in one hour. */
export interface ApiIncrement {
  readonly id: string;
  readonly calls: number;
  readonly writes: number;
  readonly errors: number;
  /**
   * True while the API has an open anomaly: the counts go to the excluded counters so an
   * anomaly does not teach the baseline that it is normal.
   */
  readonly excluded: boolean;
  /** Minutes of this hour the delivery covered (for `excluded` increments). */
  readonly minutes: number;
  readonly errorCodes: ReadonlyArray<readonly [string, number]>;
}

export interface HourIncrement {
  readonly hour: HourNumber;
  /** Minutes of the hour (0–59) the delivery covers. Set union, so concurrent files never double-count a minute. */
  readonly minutesOfHour: readonly number[];
  readonly apis: readonly ApiIncrement[];
}

export interface RecordRequest {
  /** Identity of the delivery (object), so a repeated delivery is not counted twice. */
  readonly deliveryId: string;
  readonly increments: readonly HourIncrement[];
  /** Epoch seconds after which the bucket may be deleted (DynamoDB TTL). */
  readonly expiresAt: (hour: HourNumber) => number;
}

export interface RecordOutcome {
  /** Hours whose counters this call added. */
  readonly applied: HourNumber[];
  /** Hours this delivery had already been counted in (a repeat): nothing added. */
  readonly duplicate: HourNumber[];
}

/**
 * An open anomaly of one insight type on one API. Ended anomalies are removed, so the state
 * item stays as small as the number of anomalies open right now (its size is what every
 * transition's write costs).
 */
export interface AnomalyState extends ApiRef {
  readonly type: InsightType;
  readonly sharedEventID: string;
  /** Minute number of the first minute of the window that started it. */
  readonly startMinute: number;
  /** Last minute of the latest window that was still anomalous. */
  readonly lastMinute: number;
  /** Baseline at Start, per minute (errors for error rate, calls for call rate). */
  readonly baselineAverage: number;
  readonly baselineMinutes: number;
  /** Sum of the measured counts and minutes over the anomalous windows, for the End average. */
  readonly insightTotal: number;
  readonly insightMinutes: number;
  readonly startedBy: string;
  /** Attributions at Start (top values only), repeated in the End finding. */
  readonly attributions?: readonly Attribution[];
}

export type AnomalyTransition =
  /** Succeeds if no anomaly is open for the key, or if the open one is this same one (a retried delivery). */
  | { readonly kind: 'start'; readonly state: AnomalyState }
  /** Adds a still-anomalous window to the open anomaly `sharedEventID`. */
  | {
      readonly kind: 'continue';
      readonly type: InsightType;
      readonly api: ApiRef;
      readonly sharedEventID: string;
      readonly addTotal: number;
      readonly addMinutes: number;
      readonly lastMinute: number;
    }
  /** Ends (removes) the open anomaly `sharedEventID`. */
  | {
      readonly kind: 'end';
      readonly type: InsightType;
      readonly api: ApiRef;
      readonly sharedEventID: string;
    };

export interface BaselineSnapshot {
  /** Buckets that exist, in any order; a missing hour had no data. */
  readonly buckets: readonly HourBucket[];
  /** The scope's open anomalies. */
  readonly anomalies: readonly AnomalyState[];
}

export interface BaselineStore {
  /** The named hour buckets and the scope's anomaly states: one round trip for DynamoDB (BatchGetItem). */
  load(scope: Scope, hours: readonly HourNumber[]): Promise<BaselineSnapshot>;
  /** Adds a delivery's counts atomically, once per (delivery, hour). */
  record(scope: Scope, request: RecordRequest): Promise<RecordOutcome>;
  /** A conditional state change; false when another invocation changed the state first. */
  transition(scope: Scope, change: AnomalyTransition, expiresAt: number): Promise<boolean>;
}

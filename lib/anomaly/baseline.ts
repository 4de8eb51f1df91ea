/**
 * The baseline of one delivery: the same UTC hour (± a spread) on each of the previous
 * `windowDays` days. Daily seasonality is the strongest pattern in API traffic (people and
 * batch jobs keep office hours and schedules), and comparing 14:00 with 14:00 absorbs it
 * without fitting a model. Today's own hours are not in the band, so what a delivery writes
 * never changes what it reads: a retried delivery scores exactly as the first attempt did.
 */
import type { BucketApiCounts, HourBucket, HourNumber } from './store';

export interface Band {
  /** The hour the window is scored in. */
  readonly hour: HourNumber;
  /** The hours read, day by day. */
  readonly hours: readonly HourNumber[];
}

export function bandFor(hour: HourNumber, windowDays: number, spread: number): Band {
  const hours: HourNumber[] = [];
  for (let day = 1; day <= windowDays; day++) {
    for (let offset = -spread; offset <= spread; offset++) hours.push(hour - 24 * day + offset);
  }
  return { hour, hours };
}

/** One bucket's contribution for one API: counts over the minutes it was not anomalous. */
export interface BucketSample {
  readonly minutes: number;
  readonly calls: number;
  readonly writes: number;
  readonly errors: number;
}

export interface ApiBaseline {
  readonly minutes: number;
  readonly calls: number;
  readonly writes: number;
  readonly errors: number;
  readonly samples: readonly BucketSample[];
  readonly errorCodes: ReadonlyMap<string, number>;
}

export interface BandHistory {
  /** Minutes of data in the band for the account-region. */
  readonly minutes: number;
  /** Days of the window whose part of the band holds data. */
  readonly days: number;
}

export function bandHistory(band: Band, buckets: readonly HourBucket[]): BandHistory {
  const wanted = new Set(band.hours);
  const days = new Set<number>();
  let minutes = 0;
  for (const bucket of buckets) {
    if (!wanted.has(bucket.hour) || bucket.minutes <= 0) continue;
    minutes += bucket.minutes;
    days.add(Math.round((band.hour - bucket.hour) / 24));
  }
  return { minutes, days: days.size };
}

const NONE: BucketApiCounts = { calls: 0, writes: 0, errors: 0, excludedMinutes: 0, errorCodes: new Map() };

/**
 * An API's baseline over the band. A bucket where the account-region had data but the API
 * had none contributes its minutes with zero counts: silence is part of the baseline.
 */
export function apiBaseline(band: Band, buckets: readonly HourBucket[], id: string): ApiBaseline {
  const wanted = new Set(band.hours);
  const samples: BucketSample[] = [];
  const errorCodes = new Map<string, number>();
  let minutes = 0;
  let calls = 0;
  let writes = 0;
  let errors = 0;
  for (const bucket of buckets) {
    if (!wanted.has(bucket.hour) || bucket.minutes <= 0) continue;
    const api = bucket.counts(id) ?? NONE;
    const m = Math.max(0, bucket.minutes - api.excludedMinutes);
    if (m === 0) continue;
    samples.push({ minutes: m, calls: api.calls, writes: api.writes, errors: api.errors });
    minutes += m;
    calls += api.calls;
    writes += api.writes;
    errors += api.errors;
    for (const [code, n] of api.errorCodes) errorCodes.set(code, (errorCodes.get(code) ?? 0) + n);
  }
  return { minutes, calls, writes, errors, samples, errorCodes };
}

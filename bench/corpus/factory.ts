/**
 * The factory shape every record builder is exported in: `(rng, overrides?) => record`
 * for tests, plus `.at(rng, ctx)` for the file generator, which must not override
 * anything (an IAM event keeps `awsRegion: us-east-1` inside an eu-west-1 file's context).
 */
import type { CloudTrailRecord } from '../../lib/cloudtrail/types';
import { DEFAULT_ACCOUNT_ID, DEFAULT_EVENT_TIME, DEFAULT_REGION, type RecordContext } from './principals';
import type { Rng } from './rng';

export interface RecordFactory {
  /**
   * A record whose account, region and time come from `overrides.recipientAccountId`,
   * `overrides.awsRegion` and `overrides.eventTime` (so nested ARNs agree), with every
   * top-level field of `overrides` then laid over it. A field overridden with `undefined`
   * is removed, to build records with a field absent.
   */
  (rng: Rng, overrides?: CloudTrailRecord): CloudTrailRecord;
  /** The record in a context, nothing overridden. */
  at(rng: Rng, ctx: RecordContext): CloudTrailRecord;
  /** Records only in us-east-1 files (IAM and other global services). */
  readonly global: boolean;
}

export function contextFrom(overrides: CloudTrailRecord | undefined): RecordContext {
  const time = overrides?.eventTime ?? DEFAULT_EVENT_TIME;
  const timeMs = Date.parse(time);
  if (Number.isNaN(timeMs)) throw new RangeError(`eventTime override is not a date: ${time}`);
  return {
    accountId: overrides?.recipientAccountId ?? DEFAULT_ACCOUNT_ID,
    region: overrides?.awsRegion ?? DEFAULT_REGION,
    timeMs,
  };
}

export function applyOverrides(record: CloudTrailRecord, overrides: CloudTrailRecord | undefined): CloudTrailRecord {
  if (!overrides) return record;
  const out: CloudTrailRecord = { ...record, ...overrides };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete out[key];
  return out;
}

export function defineFactory(build: (rng: Rng, ctx: RecordContext) => CloudTrailRecord, opts: { global?: boolean } = {}): RecordFactory {
  const factory = (rng: Rng, overrides?: CloudTrailRecord): CloudTrailRecord => applyOverrides(build(rng, contextFrom(overrides)), overrides);
  return Object.assign(factory, { at: build, global: opts.global ?? false });
}

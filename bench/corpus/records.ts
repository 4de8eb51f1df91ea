/**
 * Deterministic, realistic CloudTrail records: the public surface of the corpus.
 *
 *   const rng = createRng(42);
 *   const login = consoleLoginWithoutMfa(rng, { eventTime: '2026-11-24T09:01:00Z' });
 *
 * Every factory is `(rng, overrides?) => CloudTrailRecord` (see `RecordFactory`); the same
 * seed and the same sequence of calls give the same records, byte for byte.
 */
import type { CloudTrailRecord } from '../../lib/cloudtrail/types';
import { type BenignOptions, benignApi, benignRecordAt } from './benign';
import { type RecordFactory, applyOverrides, contextFrom, defineFactory } from './factory';
import type { RecordContext } from './principals';
import type { Rng } from './rng';
import { securityRecordAt } from './security';

export { type Rng, WeightedTable, createRng } from './rng';
export { type RecordFactory, applyOverrides, contextFrom, defineFactory } from './factory';
export { type RecordContext, DEFAULT_ACCOUNT_ID, DEFAULT_EVENT_TIME, DEFAULT_REGION, isoSeconds } from './principals';
export { BENIGN_APIS, type BenignApi, type BenignOptions, DEFAULT_ERROR_SHARE, benignApi, benignRecordAt } from './benign';
export * from './security';

/** One everyday call, drawn from the weighted API mix (3 % of calls fail, as they do). */
export const benignRecord: RecordFactory = defineFactory((rng, ctx) => benignRecordAt(rng, ctx));

/** An everyday call that succeeds: for "must not match" cases. */
export const successfulBenignRecord: RecordFactory = defineFactory((rng, ctx) => benignRecordAt(rng, ctx, { errorShare: 0 }));

/** A specific everyday API, e.g. `benignCall(rng, 'DescribeInstances', { awsRegion: 'eu-west-1' })`. */
export function benignCall(rng: Rng, eventName: string, overrides?: CloudTrailRecord, opts: Omit<BenignOptions, 'api'> = {}): CloudTrailRecord {
  return applyOverrides(benignRecordAt(rng, contextFrom(overrides), { ...opts, api: benignApi(eventName) }), overrides);
}

export interface MixOptions {
  /** Share of records drawn from the security factories. Default 0.01. */
  readonly securityEventShare?: number;
  /** Share of everyday calls that fail. Default 0.03. */
  readonly errorShare?: number;
}

export const DEFAULT_SECURITY_EVENT_SHARE = 0.01;

/** One record of a realistic file: mostly everyday calls, a share of security events. */
export function mixedRecordAt(rng: Rng, ctx: RecordContext, opts: MixOptions = {}): CloudTrailRecord {
  if (rng.chance(opts.securityEventShare ?? DEFAULT_SECURITY_EVENT_SHARE)) return securityRecordAt(rng, ctx);
  return benignRecordAt(rng, ctx, { errorShare: opts.errorShare });
}

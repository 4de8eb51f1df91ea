/**
 * The detector's parameters, defaults spelled out here, and their environment variables.
 * README.md in this folder explains each choice.
 */
import { z } from 'zod';
import { SEVERITIES, type Severity } from '../findings';
import { INSIGHT_TYPES, type InsightType } from './api';
import { DEFAULT_COUNTING_OPTIONS, type CountingOptions } from './counting';
import { AnomalyOptionsError } from './errors';

export interface ErrorRateOptions {
  /** Errors a window must hold before it can flag: three failures out of three calls is not an incident. */
  readonly minErrors: number;
  readonly minCalls: number;
  /**
   * Odds of an error in the window vs the baseline. Odds, not a proportion ratio: a 5× burst
   * of failing calls on an API that already fails 40% of the time goes to 77%, a proportion
   * ratio of only 1.9 but an odds ratio of 5.
   */
  readonly minOddsRatio: number;
  /** Absolute rise of the error proportion (0.02 = two percentage points). */
  readonly minIncrease: number;
}

export interface CallRateOptions {
  readonly minCount: number;
  /** Window rate / baseline rate. */
  readonly minRatio: number;
  /** Extra calls per minute over the baseline. */
  readonly minExcessPerMinute: number;
}

export interface AnomalyOptions {
  /** Trailing baseline window in days (CloudTrail Insights: 7). */
  readonly windowDays: number;
  /** Hour-of-day seasonality: the baseline is the same UTC hour ± this many hours on each previous day. */
  readonly seasonalSpreadHours: number;
  /** Days of the window that must hold data for the hour band before anything is scored (cold start). */
  readonly minHistoryDays: number;
  /** Minutes of data the band must hold, for the account-region and for the API. */
  readonly minBaselineMinutes: number;
  readonly types: readonly InsightType[];
  /** What ApiCallRateInsight counts: write calls (as CloudTrail Insights does) or all calls. */
  readonly callRateMeasure: 'writes' | 'calls';
  /** One-sided p-value below which a window is anomalous. */
  readonly alpha: number;
  /** An open anomaly continues while its window's p-value stays below this (hysteresis), and ends otherwise. */
  readonly endAlpha: number;
  /** Floor of the hour-to-hour dispersion: 5-minute windows vary more than hourly buckets show. */
  readonly minRateDispersion: number;
  readonly minProportionDispersion: number;
  readonly errorRate: ErrorRateOptions;
  readonly callRate: CallRateOptions;
  /** An anomaly open this long is ended (and may start again), so a lasting change re-alerts at most this often. */
  readonly maxOpenMinutes: number;
  /**
   * An anomaly's counts are kept out of the baseline for its first this-many minutes (a burst
   * must not teach the baseline that bursts are normal), then let in, so a lasting change
   * becomes the new normal within the window instead of starving its own baseline.
   */
  readonly excludeFromBaselineMinutes: number;
  /** Starts per delivery, most significant first: bounds the writes and the notification of a pathological file. */
  readonly maxStartsPerDelivery: number;
  readonly severity: Severity;
  readonly endSeverity: Severity;
  /** Hour buckets are kept this long after the window (DynamoDB TTL). */
  readonly ttlMarginDays: number;
  readonly counting: CountingOptions;
  /** Attribution values reported per attribute. */
  readonly attributionsTop: number;
}

export const DEFAULT_ANOMALY_OPTIONS: AnomalyOptions = {
  windowDays: 7,
  seasonalSpreadHours: 1,
  minHistoryDays: 3,
  minBaselineMinutes: 180,
  types: INSIGHT_TYPES,
  callRateMeasure: 'writes',
  alpha: 1e-5,
  endAlpha: 1e-2,
  minRateDispersion: 0.02,
  minProportionDispersion: 0.002,
  errorRate: { minErrors: 5, minCalls: 10, minOddsRatio: 2, minIncrease: 0.02 },
  callRate: { minCount: 10, minRatio: 3, minExcessPerMinute: 1 },
  maxOpenMinutes: 360,
  excludeFromBaselineMinutes: 60,
  maxStartsPerDelivery: 20,
  severity: 'MEDIUM',
  endSeverity: 'INFO',
  ttlMarginDays: 2,
  counting: DEFAULT_COUNTING_OPTIONS,
  attributionsTop: 5,
};

/** BatchGetItem reads at most 100 keys (DynamoDB limit): the band's hours plus the state item. */
export const MAX_BATCH_GET_KEYS = 100;

export function bandSize(options: Pick<AnomalyOptions, 'windowDays' | 'seasonalSpreadHours'>): number {
  return options.windowDays * (2 * options.seasonalSpreadHours + 1);
}

export type AnomalyOptionsInput = Partial<Omit<AnomalyOptions, 'errorRate' | 'callRate' | 'counting'>> & {
  readonly errorRate?: Partial<ErrorRateOptions>;
  readonly callRate?: Partial<CallRateOptions>;
  readonly counting?: Partial<CountingOptions>;
};

/** Defaults overlaid with `input`, checked: one BatchGetItem must hold the band. */
export function resolveAnomalyOptions(input: AnomalyOptionsInput = {}): AnomalyOptions {
  const options: AnomalyOptions = {
    ...DEFAULT_ANOMALY_OPTIONS,
    ...input,
    errorRate: { ...DEFAULT_ANOMALY_OPTIONS.errorRate, ...input.errorRate },
    callRate: { ...DEFAULT_ANOMALY_OPTIONS.callRate, ...input.callRate },
    counting: { ...DEFAULT_ANOMALY_OPTIONS.counting, ...input.counting },
  };
  const problems: string[] = [];
  if (!Number.isInteger(options.windowDays) || options.windowDays < 1) problems.push('windowDays must be a positive integer');
  if (!Number.isInteger(options.seasonalSpreadHours) || options.seasonalSpreadHours < 0 || options.seasonalSpreadHours > 11) {
    problems.push('seasonalSpreadHours must be an integer from 0 to 11');
  }
  if (bandSize(options) + 1 > MAX_BATCH_GET_KEYS) {
    problems.push(`windowDays × (2 × seasonalSpreadHours + 1) + 1 must be ≤ ${MAX_BATCH_GET_KEYS} (one BatchGetItem)`);
  }
  if (options.minHistoryDays < 0 || options.minHistoryDays > options.windowDays) problems.push('minHistoryDays must be within 0..windowDays');
  if (!(options.alpha > 0 && options.alpha < 1)) problems.push('alpha must be in (0, 1)');
  if (!(options.endAlpha >= options.alpha && options.endAlpha < 1)) problems.push('endAlpha must be in [alpha, 1)');
  if (problems.length > 0) throw new AnomalyOptionsError(`anomaly options are invalid: ${problems.join('; ')}`);
  return options;
}

const severity = z.enum(SEVERITIES);
const EnvSchema = z.object({
  ANOMALY_WINDOW_DAYS: z.coerce.number().int().min(1).max(30).optional(),
  ANOMALY_MIN_HISTORY_DAYS: z.coerce.number().int().min(0).max(30).optional(),
  ANOMALY_ALPHA: z.coerce.number().gt(0).lt(1).optional(),
  ANOMALY_TYPES: z
    .string()
    .transform((s) => s.split(',').map((t) => t.trim()).filter((t) => t !== ''))
    .pipe(z.array(z.enum(INSIGHT_TYPES)))
    .optional(),
  ANOMALY_CALL_RATE_MEASURE: z.enum(['writes', 'calls']).optional(),
  ANOMALY_SEVERITY: severity.optional(),
  ANOMALY_END_SEVERITY: severity.optional(),
});

/**
 * Options from environment variables (all optional; unset = default). A bad value throws
 * `AnomalyOptionsError` naming the variable, so the cold start fails loudly.
 */
export function anomalyOptionsFromEnv(env: Record<string, string | undefined> = process.env): AnomalyOptions {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new AnomalyOptionsError(`anomaly configuration is invalid: ${problems}`);
  }
  const e = parsed.data;
  return resolveAnomalyOptions({
    ...(e.ANOMALY_WINDOW_DAYS === undefined ? {} : { windowDays: e.ANOMALY_WINDOW_DAYS }),
    ...(e.ANOMALY_MIN_HISTORY_DAYS === undefined ? {} : { minHistoryDays: e.ANOMALY_MIN_HISTORY_DAYS }),
    ...(e.ANOMALY_ALPHA === undefined ? {} : { alpha: e.ANOMALY_ALPHA }),
    ...(e.ANOMALY_TYPES === undefined ? {} : { types: e.ANOMALY_TYPES }),
    ...(e.ANOMALY_CALL_RATE_MEASURE === undefined ? {} : { callRateMeasure: e.ANOMALY_CALL_RATE_MEASURE }),
    ...(e.ANOMALY_SEVERITY === undefined ? {} : { severity: e.ANOMALY_SEVERITY }),
    ...(e.ANOMALY_END_SEVERITY === undefined ? {} : { endSeverity: e.ANOMALY_END_SEVERITY }),
  });
}

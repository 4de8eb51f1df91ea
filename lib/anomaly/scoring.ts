/**
 * Scores one API's window against its baseline with tail tests that know counts are noisy:
 *
 *  - Error rate: two tests, Bonferroni-combined (p = 2 × the smaller):
 *    (a) the proportion: errors among the window's calls ~ beta-binomial. The baseline
 *    proportion p̂ = (errors + ½)/(calls + 1) (Jeffreys); the Beta's spread combines how
 *    much the hourly proportions really vary (method of moments over the band's buckets, an
 *    intra-class correlation ρ) and how uncertain p̂ itself is (1/(calls + 1));
 *    (b) the error count per minute, CloudTrail's own measure: negative binomial as for the
 *    call rate below. (b) carries the case (a) cannot: an API called a few times a week
 *    whose proportion is unknown, suddenly failing dozens of times a minute.
 *    The proportion effect floors apply to both, so more traffic at the same error share
 *    never flags as an error-rate anomaly.
 *  - Call rate: the window's count ~ negative binomial (a Poisson count whose rate is
 *    gamma-distributed), mean λ̂·minutes with λ̂ = (count + ½)/minutes; the shape combines the
 *    hourly over-dispersion (CV², method of moments) and the uncertainty of λ̂
 *    (1/(count + ½), the Poisson-gamma posterior predictive).
 *
 * A window is anomalous when its one-sided p-value is below `alpha` AND it clears effect
 * floors (minimum count, odds ratio or rate ratio, absolute rise): significance alone
 * flags 1% shifts of high-volume APIs, effect alone flags 3 errors of 3 calls.
 */
import type { ApiBaseline, BucketSample } from './baseline';
import type { InsightType } from './api';
import type { AnomalyOptions } from './options';
import { betaBinomialUpperTail, negativeBinomialUpperTail } from './stats';

export interface WindowCounts {
  readonly calls: number;
  readonly writes: number;
  readonly errors: number;
  /** Minutes the window covers (≥ 1). */
  readonly minutes: number;
}

export type VerdictLevel =
  /** Significant and large: starts an anomaly. */
  | 'anomalous'
  /** Still above the baseline at the looser `endAlpha`: keeps an open anomaly open. */
  | 'elevated'
  | 'normal'
  /** Too little baseline for this API to judge. */
  | 'unscored';

export interface Verdict {
  readonly type: InsightType;
  readonly level: VerdictLevel;
  /** Why it is not anomalous (the first floor it missed), or why unscored. */
  readonly reason?: string;
  readonly pValue: number;
  /** Per minute: errors (error rate) or calls (call rate), as CloudTrail Insights reports them. */
  readonly baselineAverage: number;
  readonly insightAverage: number;
  /** Minutes of baseline behind `baselineAverage` (CloudTrail's baselineDuration). */
  readonly baselineMinutes: number;
  /** The count the window is judged on (errors, or write/all calls) and its expectation. */
  readonly observed: number;
  readonly expected: number;
  /** Odds ratio (error rate) or rate ratio (call rate). */
  readonly effect: number;
  readonly method: 'beta-binomial' | 'negative-binomial';
  readonly dispersion: number;
  /** Error rate only. */
  readonly baselineProportion?: number;
  readonly windowProportion?: number;
  /** Error rate only: the two tests behind `pValue`. */
  readonly pProportion?: number;
  readonly pCount?: number;
}

export function scoreErrorRate(window: WindowCounts, base: ApiBaseline, options: AnomalyOptions): Verdict {
  const o = options.errorRate;
  const p = (base.errors + 0.5) / (base.calls + 1);
  const rho = Math.max(options.minProportionDispersion, proportionDispersion(base.samples, p));
  // Variance of the window's true proportion, as a fraction of p(1-p): real variation + estimation error.
  const tau = Math.min(0.999, rho + 1 / (base.calls + 1));
  const concentration = (1 - tau) / tau;
  const n = window.calls;
  const x = window.errors;
  const windowProportion = n > 0 ? x / n : 0;
  const odds = (q: number): number => q / (1 - q);
  const effect = x === 0 ? 0 : x >= n ? Number.POSITIVE_INFINITY : odds(windowProportion) / odds(p);
  const common = {
    type: 'ApiErrorRateInsight' as const,
    baselineAverage: base.minutes > 0 ? base.errors / base.minutes : 0,
    baselineMinutes: base.minutes,
    insightAverage: x / Math.max(1, window.minutes),
    observed: x,
    expected: n * p,
    effect,
    method: 'beta-binomial' as const,
    dispersion: rho,
    baselineProportion: p,
    windowProportion,
  };
  if (base.minutes < options.minBaselineMinutes) {
    return { ...common, level: 'unscored', pValue: 1, reason: `baseline holds ${base.minutes} min of this API (< ${options.minBaselineMinutes})` };
  }
  const pProportion = n > 0 ? betaBinomialUpperTail(x, n, p * concentration, (1 - p) * concentration) : 1;
  const errorRate = (base.errors + 0.5) / base.minutes;
  const errorShape = 1 / (Math.max(options.minRateDispersion, rateDispersion(base.samples, 'errors')) + 1 / (base.errors + 0.5));
  const pCount = negativeBinomialUpperTail(x, errorRate * Math.max(1, window.minutes), errorShape);
  const pValue = Math.min(1, 2 * Math.min(pProportion, pCount));
  const floor =
    n < o.minCalls ? `${n} calls (< ${o.minCalls})`
    : x < o.minErrors ? `${x} errors (< ${o.minErrors})`
    : effect < o.minOddsRatio ? `odds ratio ${round(effect)} (< ${o.minOddsRatio})`
    : windowProportion - p < o.minIncrease ? `error proportion rose ${round(100 * (windowProportion - p))} points (< ${100 * o.minIncrease})`
    : undefined;
  return { ...common, pValue, pProportion, pCount, ...levelOf(pValue, floor, effect > 1, options) };
}

export function scoreCallRate(window: WindowCounts, base: ApiBaseline, options: AnomalyOptions): Verdict {
  const o = options.callRate;
  const measure = options.callRateMeasure;
  const baseCount = measure === 'writes' ? base.writes : base.calls;
  const y = measure === 'writes' ? window.writes : window.calls;
  const minutes = Math.max(1, window.minutes);
  const rate = base.minutes > 0 ? (baseCount + 0.5) / base.minutes : 0;
  const mean = rate * minutes;
  const cv2 = Math.max(options.minRateDispersion, rateDispersion(base.samples, measure));
  const shape = 1 / (cv2 + 1 / (baseCount + 0.5));
  const effect = mean > 0 ? y / mean : Number.POSITIVE_INFINITY;
  const common = {
    type: 'ApiCallRateInsight' as const,
    baselineAverage: base.minutes > 0 ? baseCount / base.minutes : 0,
    baselineMinutes: base.minutes,
    insightAverage: y / minutes,
    observed: y,
    expected: mean,
    effect,
    method: 'negative-binomial' as const,
    dispersion: cv2,
  };
  if (base.minutes < options.minBaselineMinutes) {
    return { ...common, level: 'unscored', pValue: 1, reason: `baseline holds ${base.minutes} min of this API (< ${options.minBaselineMinutes})` };
  }
  const pValue = negativeBinomialUpperTail(y, mean, shape);
  const floor =
    y < o.minCount ? `${y} calls (< ${o.minCount})`
    : effect < o.minRatio ? `rate ratio ${round(effect)} (< ${o.minRatio})`
    : (y - mean) / minutes < o.minExcessPerMinute ? `${round((y - mean) / minutes)} extra calls/min (< ${o.minExcessPerMinute})`
    : undefined;
  return { ...common, pValue, ...levelOf(pValue, floor, effect > 1, options) };
}

function levelOf(pValue: number, floor: string | undefined, above: boolean, options: AnomalyOptions): { level: VerdictLevel; reason?: string } {
  if (pValue < options.alpha && floor === undefined) return { level: 'anomalous' };
  // An effect floor is the firmer reason: no p-value would make that window an incident.
  const reason = floor ?? `p = ${pValue.toExponential(2)} (≥ ${options.alpha})`;
  return { level: above && pValue < options.endAlpha ? 'elevated' : 'normal', reason };
}

/**
 * Buckets with fewer expected events than this say almost nothing about extra-Poisson
 * variation (one failed call out of one is a 100% proportion), and the moment estimators
 * below explode on them; they are left out, and with fewer than `MIN_DISPERSION_BUCKETS`
 * informative buckets the dispersion is the configured floor. The estimation-uncertainty
 * term (1/count) already widens the tail for sparse APIs.
 */
export const MIN_BUCKET_EXPECTED = 5;
export const MIN_DISPERSION_BUCKETS = 3;

/**
 * Intra-class correlation of the hourly error proportions beyond binomial noise:
 * Σ(e − c·p)² / (p(1−p)) = Σc + ρ·Σc(c−1) in expectation.
 */
export function proportionDispersion(samples: readonly BucketSample[], p: number): number {
  let pearson = 0;
  let n = 0;
  let pairs = 0;
  let used = 0;
  for (const s of samples) {
    // Informative only if it expects a few errors and a few successes.
    if (s.calls * Math.min(p, 1 - p) < MIN_BUCKET_EXPECTED) continue;
    pearson += (s.errors - s.calls * p) ** 2;
    n += s.calls;
    pairs += s.calls * (s.calls - 1);
    used++;
  }
  if (used < MIN_DISPERSION_BUCKETS || pairs <= 0 || p <= 0 || p >= 1) return 0;
  return clamp((pearson / (p * (1 - p)) - n) / pairs, 0, 0.5);
}

/**
 * Squared coefficient of variation of the hourly rates beyond Poisson noise:
 * Σ[(x − λm)² − λm] / Σ(λm)², the negative-binomial method of moments.
 */
export function rateDispersion(samples: readonly BucketSample[], measure: 'writes' | 'calls' | 'errors'): number {
  const of = (s: BucketSample): number => (measure === 'writes' ? s.writes : measure === 'errors' ? s.errors : s.calls);
  let count = 0;
  let minutes = 0;
  for (const s of samples) {
    count += of(s);
    minutes += s.minutes;
  }
  if (count === 0 || minutes === 0) return 0;
  const rate = count / minutes;
  let excess = 0;
  let scale = 0;
  let used = 0;
  for (const s of samples) {
    const expected = rate * s.minutes;
    if (expected < MIN_BUCKET_EXPECTED) continue;
    used++;
    const x = of(s);
    excess += (x - expected) ** 2 - expected;
    scale += expected ** 2;
  }
  if (used < MIN_DISPERSION_BUCKETS) return 0;
  return clamp(excess / scale, 0, 4);
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function round(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 100) / 100) : '∞';
}

import fc from 'fast-check';
import type { ApiBaseline, BucketSample } from '../../../lib/anomaly/baseline';
import { DEFAULT_ANOMALY_OPTIONS, resolveAnomalyOptions } from '../../../lib/anomaly/options';
import { proportionDispersion, rateDispersion, scoreCallRate, scoreErrorRate } from '../../../lib/anomaly/scoring';

// a fixed seed keeps runs deterministic; change it to explore other cases
fc.configureGlobal({ seed: 20251124 });

const options = DEFAULT_ANOMALY_OPTIONS;

/**
 * A baseline of `buckets` full hours at `callsPerMinute`, `errorShare` of them failed and
 * `writeShare` of them writes, each hour varied by ±`wobble` (relative) in a fixed pattern.
 */
function baseline(callsPerMinute: number, errorShare: number, opts: { buckets?: number; wobble?: number; writeShare?: number } = {}): ApiBaseline {
  const samples: BucketSample[] = [];
  const n = opts.buckets ?? 21;
  for (let i = 0; i < n; i++) {
    const f = 1 + (opts.wobble ?? 0.1) * Math.sin(i * 1.7);
    const calls = Math.round(callsPerMinute * 60 * f);
    samples.push({ minutes: 60, calls, writes: Math.round(calls * (opts.writeShare ?? 0)), errors: Math.round(calls * errorShare * (1 + 0.1 * Math.cos(i))) });
  }
  const sum = (k: keyof BucketSample): number => samples.reduce((a, s) => a + s[k], 0);
  return { minutes: sum('minutes'), calls: sum('calls'), writes: sum('writes'), errors: sum('errors'), samples, errorCodes: new Map() };
}

describe('scoreErrorRate', () => {
  it('flags an API that errs 2% of the time and now errs 60%', () => {
    // Prepare
    const base = baseline(10, 0.02);
    // Act
    const verdict = scoreErrorRate({ calls: 50, writes: 0, errors: 30, minutes: 5 }, base, options);
    // Assess
    expect(verdict.level).toBe('anomalous');
    expect(verdict.pValue).toBeLessThan(1e-10);
    expect(verdict.baselineProportion).toBeCloseTo(0.02, 2);
    expect(verdict.windowProportion).toBeCloseTo(0.6, 5);
    expect(verdict.baselineAverage).toBeCloseTo(0.2, 1);
    expect(verdict.insightAverage).toBe(6);
  });

  it('does not flag low-volume noise: two failures out of three calls', () => {
    // Prepare
    const base = baseline(10, 0.02);
    // Act
    const verdict = scoreErrorRate({ calls: 3, writes: 0, errors: 2, minutes: 5 }, base, options);
    // Assess
    expect(verdict.level).not.toBe('anomalous');
    expect(verdict.reason).toMatch(/calls|errors/);
  });

  it('does not flag a busy API whose error share moves a little, however significant', () => {
    // Prepare: 1% → 1.3% on 10,000 calls is significant but not an incident
    const base = baseline(2000, 0.01);
    // Act
    const verdict = scoreErrorRate({ calls: 10_000, writes: 0, errors: 130, minutes: 5 }, base, options);
    // Assess
    expect(verdict.level).not.toBe('anomalous');
    expect(verdict.reason).toMatch(/odds ratio/);
  });

  it('uses odds, so a 5× burst on an API that already fails 40% of the time flags', () => {
    // Prepare: 5× the failing calls on top of unchanged successes: 40% → 77%
    const base = baseline(10, 0.4);
    // Act
    const verdict = scoreErrorRate({ calls: 50 + 80, writes: 0, errors: 20 + 80, minutes: 5 }, base, options);
    // Assess
    expect(verdict.effect).toBeGreaterThan(4);
    expect(verdict.level).toBe('anomalous');
  });

  it('flags errors on an API too rarely called for its error share to be known', () => {
    // Prepare: a handful of calls in a week, then 50 failures in five minutes
    const base: ApiBaseline = { ...baseline(0, 0), calls: 4, errors: 1, samples: [{ minutes: 60, calls: 4, writes: 0, errors: 1 }] };
    // Act
    const verdict = scoreErrorRate({ calls: 50, writes: 0, errors: 50, minutes: 5 }, base, options);
    // Assess
    expect(verdict.pProportion).toBeGreaterThan(options.alpha);
    expect(verdict.pCount).toBeLessThan(1e-10);
    expect(verdict.level).toBe('anomalous');
  });

  it('leaves an API with too little baseline unscored', () => {
    // Prepare
    const base = baseline(10, 0.02, { buckets: 2 });
    // Act
    const verdict = scoreErrorRate({ calls: 50, writes: 0, errors: 50, minutes: 5 }, base, resolveAnomalyOptions({ minBaselineMinutes: 180 }));
    // Assess
    expect(verdict.level).toBe('unscored');
  });

  it('keeps an open anomaly "elevated" at the looser end threshold, and "normal" once back to baseline', () => {
    // Prepare
    const base = baseline(10, 0.02);
    // Act
    const elevated = scoreErrorRate({ calls: 50, writes: 0, errors: 6, minutes: 5 }, base, options);
    const normal = scoreErrorRate({ calls: 50, writes: 0, errors: 1, minutes: 5 }, base, options);
    // Assess
    expect(elevated.level).toBe('elevated');
    expect(normal.level).toBe('normal');
  });

  it('never flags when the noise is scaled down: fewer errors, or the same proportions at lower volume', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 300, noNaN: true }),
        fc.double({ min: 0.001, max: 0.3, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 2, max: 10 }),
        (rate, share, wobble, calls, errors0, factor) => {
          // Prepare: any window that does not flag…
          const base = baseline(rate, share, { wobble });
          const errors = Math.min(calls, errors0);
          const full = scoreErrorRate({ calls: calls * factor, writes: 0, errors: errors * factor, minutes: 5 }, base, options);
          fc.pre(full.level !== 'anomalous');
          // Act: …with one error fewer, or 1/factor of its volume at the same proportion
          const fewer = scoreErrorRate({ calls: calls * factor, writes: 0, errors: Math.max(0, errors * factor - 1), minutes: 5 }, base, options);
          const scaled = scoreErrorRate({ calls, writes: 0, errors, minutes: 5 }, base, options);
          // Assess
          expect(fewer.level).not.toBe('anomalous');
          expect(scaled.level).not.toBe('anomalous');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('always flags a 30× error burst with enough volume', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 10, max: 300, noNaN: true }),
        fc.double({ min: 0.002, max: 0.05, noNaN: true }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        fc.integer({ min: 5, max: 10 }),
        (rate, share, wobble, minutes) => {
          // Prepare: failing calls added until errors per minute are 30× the baseline's (at least 30/min)
          const base = baseline(rate, share, { wobble });
          const errorsPerMinute = rate * share;
          const added = Math.round((30 * Math.max(errorsPerMinute, 1) - errorsPerMinute) * minutes);
          const window = { calls: Math.round(rate * minutes) + added, writes: 0, errors: Math.round(errorsPerMinute * minutes) + added, minutes };
          // Act
          const verdict = scoreErrorRate(window, base, options);
          // Assess
          expect(verdict.level).toBe('anomalous');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('scoreCallRate', () => {
  it('flags write calls at 10× the baseline rate and ignores read calls by default', () => {
    // Prepare
    const base = baseline(2, 0, { writeShare: 1 });
    // Act
    const spike = scoreCallRate({ calls: 100, writes: 100, errors: 0, minutes: 5 }, base, options);
    const reads = scoreCallRate({ calls: 100, writes: 0, errors: 0, minutes: 5 }, base, options);
    // Assess
    expect(spike.level).toBe('anomalous');
    expect(spike.effect).toBeCloseTo(10, 0);
    expect(reads.level).toBe('normal');
  });

  it('counts all calls when configured to', () => {
    // Prepare
    const base = baseline(2, 0, { writeShare: 0 });
    // Act
    const verdict = scoreCallRate({ calls: 100, writes: 0, errors: 0, minutes: 5 }, base, resolveAnomalyOptions({ callRateMeasure: 'calls' }));
    // Assess
    expect(verdict.level).toBe('anomalous');
  });

  it('does not flag a busy API at 1.5× its rate, nor a quiet one at 3 calls instead of 1', () => {
    // Prepare
    const busy = baseline(100, 0, { writeShare: 1 });
    const quiet = baseline(0.2, 0, { writeShare: 1 });
    // Act
    const up = scoreCallRate({ calls: 750, writes: 750, errors: 0, minutes: 5 }, busy, options);
    const few = scoreCallRate({ calls: 3, writes: 3, errors: 0, minutes: 5 }, quiet, options);
    // Assess
    expect(up.level).not.toBe('anomalous');
    expect(few.level).not.toBe('anomalous');
  });

  it('never flags when the excess is scaled down', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 300, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.integer({ min: 0, max: 5000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (rate, wobble, writes, shrink) => {
          // Prepare
          const base = baseline(rate, 0, { wobble, writeShare: 1 });
          const full = scoreCallRate({ calls: writes, writes, errors: 0, minutes: 5 }, base, options);
          fc.pre(full.level !== 'anomalous');
          // Act
          const fewer = Math.floor(writes * shrink);
          const verdict = scoreCallRate({ calls: fewer, writes: fewer, errors: 0, minutes: 5 }, base, options);
          // Assess
          expect(verdict.level).not.toBe('anomalous');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('dispersion estimates', () => {
  it('are zero for Poisson-like hours and grow with real hour-to-hour variation', () => {
    // Prepare
    const steady = baseline(50, 0.05, { wobble: 0 }).samples;
    const wobbly = baseline(50, 0.05, { wobble: 0.5 }).samples;
    // Act & Assess
    expect(rateDispersion(steady, 'calls')).toBe(0);
    expect(rateDispersion(wobbly, 'calls')).toBeGreaterThan(0.05);
    expect(proportionDispersion(steady, 0.05)).toBeLessThan(0.001);
  });

  it('ignore buckets too sparse to say anything, instead of exploding on them', () => {
    // Prepare: one call per hour, always failed in one hour
    const sparse: BucketSample[] = Array.from({ length: 21 }, (_, i) => ({ minutes: 60, calls: 1, writes: 1, errors: i === 0 ? 1 : 0 }));
    // Act & Assess
    expect(proportionDispersion(sparse, 1 / 21)).toBe(0);
    expect(rateDispersion(sparse, 'writes')).toBe(0);
  });
});

import fc from 'fast-check';
import {
  betaBinomialUpperTail,
  binomialUpperTail,
  incompleteBeta,
  logGamma,
  negativeBinomialUpperTail,
  poissonUpperTail,
} from '../../../lib/anomaly/stats';

// a fixed seed keeps runs deterministic; change it to explore other cases
fc.configureGlobal({ seed: 20251124 });

/** Reference tails by brute-force summation of the pmf (small n only). */
function binomialPmf(k: number, n: number, p: number): number {
  let c = 1;
  for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1);
  return c * p ** k * (1 - p) ** (n - k);
}
function sumFrom(k: number, n: number, pmf: (j: number) => number): number {
  let s = 0;
  for (let j = k; j <= n; j++) s += pmf(j);
  return s;
}

describe('logGamma', () => {
  it('matches factorials and Γ(1/2) = √π', () => {
    // Prepare
    const cases: Array<[number, number]> = [[1, 0], [2, 0], [5, Math.log(24)], [11, Math.log(3628800)], [0.5, Math.log(Math.sqrt(Math.PI))]];
    // Act & Assess
    for (const [x, expected] of cases) expect(logGamma(x)).toBeCloseTo(expected, 10);
  });
});

describe('tails', () => {
  it('binomial tail equals the summed pmf', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.double({ min: 0.001, max: 0.999, noNaN: true }), (n, k0, p) => {
        // Prepare
        const k = Math.min(k0, n);
        // Act
        const tail = binomialUpperTail(k, n, p);
        // Assess
        expect(tail).toBeCloseTo(sumFrom(k, n, (j) => binomialPmf(j, n, p)), 9);
      }),
    );
  });

  it('beta-binomial tail equals the summed pmf, and tends to the binomial as the concentration grows', () => {
    // Prepare
    const n = 30;
    const a = 0.6;
    const b = 9.4;
    const lbeta = (x: number, y: number): number => logGamma(x) + logGamma(y) - logGamma(x + y);
    const pmf = (j: number): number => {
      let c = 1;
      for (let i = 0; i < j; i++) c = (c * (n - i)) / (i + 1);
      return c * Math.exp(lbeta(j + a, n - j + b) - lbeta(a, b));
    };
    // Act & Assess
    for (const k of [0, 1, 3, 5, 10, 20, 30]) expect(betaBinomialUpperTail(k, n, a, b)).toBeCloseTo(sumFrom(k, n, pmf), 9);
    expect(betaBinomialUpperTail(8, 100, 0.05 * 1e7, 0.95 * 1e7)).toBeCloseTo(binomialUpperTail(8, 100, 0.05), 5);
  });

  it('negative binomial tends to the Poisson, and its extra variance makes tails heavier', () => {
    // Prepare
    const mean = 4;
    // Act
    const poisson = poissonUpperTail(12, mean);
    const nearPoisson = negativeBinomialUpperTail(12, mean, 1e9);
    const dispersed = negativeBinomialUpperTail(12, mean, 2);
    // Assess
    let direct = 0;
    let term = Math.exp(-mean);
    for (let j = 0; j < 12; j++) {
      direct += term;
      term *= mean / (j + 1);
    }
    expect(poisson).toBeCloseTo(1 - direct, 12);
    expect(nearPoisson).toBeCloseTo(poisson, 6);
    expect(dispersed).toBeGreaterThan(poisson * 10);
  });

  it('tiny tails stay accurate instead of rounding to 0 or going negative', () => {
    // Act
    const tail = betaBinomialUpperTail(60, 100, 2, 98);
    const binomial = binomialUpperTail(60, 100, 0.02);
    // Assess
    expect(tail).toBeGreaterThan(0);
    expect(tail).toBeLessThan(1e-20);
    expect(binomial).toBeGreaterThan(0);
    expect(binomial).toBeLessThan(tail);
    expect(incompleteBeta(0.5, 3, 3)).toBeCloseTo(0.5, 12);
  });
});

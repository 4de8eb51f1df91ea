/**
 * Upper-tail probabilities for the count models the scorer uses. Plain numerics, no
 * dependency: log-gamma (Lanczos), the regularized incomplete beta (continued fraction,
 * modified Lentz) and term-by-term sums with ratio recursions, accurate to ~1e-12 relative
 * in the range the detector uses (p-values down to ~1e-300, counts up to millions).
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (LANCZOS[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** The regularized incomplete beta function I_x(a, b), a, b > 0, 0 ≤ x ≤ 1. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b));
  // The continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const TINY = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized lower incomplete gamma function P(a, x). */
export function lowerGamma(a: number, x: number): number {
  if (x <= 0) return 0;
  const logFront = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 100_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (term < sum * 1e-16) break;
    }
    return Math.min(1, sum * Math.exp(logFront));
  }
  // Continued fraction for Q(a, x), modified Lentz.
  const TINY = 1e-300;
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.max(0, 1 - Math.exp(logFront) * h);
}

/** P(X ≥ k) for X ~ Poisson(mean). */
export function poissonUpperTail(k: number, mean: number): number {
  if (k <= 0) return 1;
  if (mean <= 0) return 0;
  return lowerGamma(k, mean);
}

/** P(X ≥ k) for X ~ Binomial(n, p). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  return incompleteBeta(p, k, n - k + 1);
}

/**
 * P(X ≥ k) for X negative binomial with the given mean and shape r (variance
 * mean + mean²/r): a Poisson count whose rate is itself gamma-distributed. r = Infinity is
 * the Poisson limit.
 */
export function negativeBinomialUpperTail(k: number, mean: number, shape: number): number {
  if (k <= 0) return 1;
  if (mean <= 0) return 0;
  if (!Number.isFinite(shape) || shape > 1e12) return poissonUpperTail(k, mean);
  return incompleteBeta(mean / (mean + shape), k, shape);
}

/**
 * P(X ≥ k) for X ~ BetaBinomial(n, alpha, beta): binomial draws whose success probability
 * is itself Beta(alpha, beta) — proportions that vary from hour to hour more than binomial
 * noise alone. Summed term by term from log-space, starting at the tail's own end so a tiny
 * tail is never the difference of two numbers near 1.
 */
export function betaBinomialUpperTail(k: number, n: number, alpha: number, beta: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (!(alpha > 0) || !(beta > 0)) throw new RangeError('beta-binomial needs alpha, beta > 0');
  if (alpha + beta > 1e9) return binomialUpperTail(k, n, alpha / (alpha + beta));
  const logNorm = logBeta(alpha, beta);
  const logPmf = (j: number): number =>
    logGamma(n + 1) - logGamma(j + 1) - logGamma(n - j + 1) + logBeta(j + alpha, n - j + beta) - logNorm;
  const mean = (n * alpha) / (alpha + beta);
  if (k > mean) {
    // Upward from k: pmf(j+1)/pmf(j) = (n-j)(j+α) / ((j+1)(n-j-1+β)).
    let term = Math.exp(logPmf(k));
    let sum = term;
    for (let j = k; j < n; j++) {
      term *= ((n - j) * (j + alpha)) / ((j + 1) * (n - j - 1 + beta));
      sum += term;
      if (term < sum * 1e-15) break;
    }
    return Math.min(1, sum);
  }
  // Downward from k-1 for the complement: pmf(j-1)/pmf(j) = j(n-j+β) / ((n-j+1)(j-1+α)).
  let term = Math.exp(logPmf(k - 1));
  let sum = term;
  for (let j = k - 1; j > 0; j--) {
    term *= (j * (n - j + beta)) / ((n - j + 1) * (j - 1 + alpha));
    sum += term;
    if (term < sum * 1e-15) break;
  }
  return Math.max(0, 1 - sum);
}

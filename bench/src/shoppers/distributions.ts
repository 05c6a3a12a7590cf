/**
 * The two kinds of distribution the shopper model is made of, each fitted from
 * samples and drawn from with a seeded `random` ([0, 1)): a discrete one
 * (probabilities estimated from counts: views per session, sessions per user,
 * which product) and a log-normal one for durations (maximum likelihood: the
 * mean and standard deviation of the logs), truncated at the largest value
 * seen, with the Kolmogorov–Smirnov distance to its samples so a reader can
 * judge the fit. Pure.
 */

/** Values with their probabilities, drawn by inverse CDF. */
export interface Discrete<T> {
  values: readonly T[];
  /** Cumulative probabilities, the last one 1. */
  cumulative: readonly number[];
}

/** Probabilities proportional to `counts` (positive); throws naming `what` when there is nothing to estimate from. */
export function discreteOf<T>(counts: ReadonlyMap<T, number>, what: string): Discrete<T> {
  const entries = [...counts].filter(([, n]) => n > 0);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) throw new Error(`${what}: no samples to estimate a distribution from`);
  let running = 0;
  return {
    values: entries.map(([value]) => value),
    cumulative: entries.map(([, n], i) => (i === entries.length - 1 ? 1 : (running += n) / total)),
  };
}

export function drawDiscrete<T>(d: Discrete<T>, random: () => number): T {
  const u = random();
  let lo = 0;
  let hi = d.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (d.cumulative[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return d.values[lo]!;
}

/** The probability of `value` (0 when absent). */
export function probabilityOf<T>(d: Discrete<T>, value: T): number {
  const i = d.values.indexOf(value);
  return i < 0 ? 0 : d.cumulative[i]! - (i === 0 ? 0 : d.cumulative[i - 1]!);
}

export function meanOf(d: Discrete<number>): number {
  return d.values.reduce((sum, v, i) => sum + v * (d.cumulative[i]! - (i === 0 ? 0 : d.cumulative[i - 1]!)), 0);
}

/** A log-normal distribution of positive durations, truncated at `max`. */
export interface LogNormal {
  /** Mean of ln(x). */
  mu: number;
  /** Standard deviation of ln(x). */
  sigma: number;
  /** The largest sample: draws above it are drawn again. */
  max: number;
  /** Samples it was fitted on. */
  n: number;
  /** Kolmogorov–Smirnov distance between the fitted CDF and the samples' (0 = the same, 1 = disjoint). */
  ks: number;
}

/** Maximum-likelihood fit of positive samples; throws naming `what` with fewer than two, or any not positive. */
export function fitLogNormal(samples: readonly number[], what: string): LogNormal {
  if (samples.length < 2) throw new Error(`${what}: ${samples.length} samples are too few to fit a log-normal distribution`);
  const bad = samples.find((x) => !(x > 0) || !Number.isFinite(x));
  if (bad !== undefined) throw new Error(`${what}: a log-normal fit needs positive durations, got ${bad}`);
  const logs = samples.map(Math.log);
  const mu = logs.reduce((a, b) => a + b, 0) / logs.length;
  const sigma = Math.sqrt(logs.reduce((a, b) => a + (b - mu) ** 2, 0) / logs.length);
  const sorted = [...samples].sort((a, b) => a - b);
  const max = sorted[sorted.length - 1]!;
  const fit = { mu, sigma, max, n: samples.length, ks: 0 };
  return { ...fit, ks: ksDistance(sorted, (x) => logNormalCdf(fit, x)) };
}

/** P(X ≤ x) of the truncated distribution. */
export function logNormalCdf(d: Pick<LogNormal, 'mu' | 'sigma' | 'max'>, x: number): number {
  if (x <= 0) return 0;
  if (x >= d.max) return 1;
  const raw = (v: number) => (d.sigma === 0 ? (Math.log(v) >= d.mu ? 1 : 0) : normalCdf((Math.log(v) - d.mu) / d.sigma));
  const top = raw(d.max);
  return top === 0 ? 1 : raw(x) / top;
}

/** The value below which a share `p` of draws fall. */
export function logNormalQuantile(d: Pick<LogNormal, 'mu' | 'sigma' | 'max'>, p: number): number {
  let lo = 0;
  let hi = d.max;
  for (let i = 0; i < 100; i += 1) {
    const mid = (lo + hi) / 2;
    if (logNormalCdf(d, mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export function drawLogNormal(d: Pick<LogNormal, 'mu' | 'sigma' | 'max'>, random: () => number): number {
  for (let tries = 0; tries < 100; tries += 1) {
    const x = Math.exp(d.mu + d.sigma * standardNormal(random));
    if (x <= d.max) return x;
  }
  return d.max;
}

/** Box–Muller: one standard normal from two uniforms. */
function standardNormal(random: () => number): number {
  const u = 1 - random(); // (0, 1]: log(0) would be -Infinity
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Φ(z), from erf (Abramowitz and Stegun 7.1.26, absolute error below 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** sup |F_samples(x) − cdf(x)| over ascending `sorted` samples. */
export function ksDistance(sorted: readonly number[], cdf: (x: number) => number): number {
  let d = 0;
  sorted.forEach((x, i) => {
    const f = cdf(x);
    d = Math.max(d, Math.abs((i + 1) / sorted.length - f), Math.abs(f - i / sorted.length));
  });
  return d;
}

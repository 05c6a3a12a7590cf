import type { ConversionCount, ConfidenceInterval } from './interval.js';

/**
 * Default tuning: the number of exposed units (treatment + control) at which the always-valid
 * interval is narrowest. GrowthBook uses the same parameter with the same default.
 */
export const DEFAULT_SEQUENTIAL_TUNING = 5000;

/**
 * The mixing variance τ² in units of the per-unit variance, chosen so the boundary is narrowest
 * after `tuning` units: the approximate optimum of Howard et al. 2021 for a target sample size,
 * as GrowthBook computes it: ρ² = (2 ln(1/α) + ln(1 + 2 ln(1/α))) / tuning.
 */
export function standardizedMixingVariance(alpha: number, tuning: number): number {
  const l = 2 * Math.log(1 / alpha);
  return (l + Math.log(1 + l)) / tuning;
}

/**
 * Always-valid (anytime-valid) confidence interval for the absolute lift, treatment rate −
 * control rate: the normal-mixture sequential probability ratio test (mSPRT) of Johari, Pekelis
 * and Walsh ("Always valid inference", Operations Research 2022; Optimizely's Stats Engine),
 * which is Howard, Ramdas, McAuliffe and Sekhon's two-sided normal-mixture confidence sequence
 * (Annals of Statistics 2021). With d the observed difference and
 *
 *   V  = p_t(1 − p_t)/n_t + p_c(1 − p_c)/n_c     (the estimate's variance)
 *   τ² = ρ² (n_t + n_c) V                        (mixing variance of the effect; ρ² above)
 *
 * the interval is every θ whose mixture likelihood ratio stays below 1/α:
 *
 *   d ± √( V (V + τ²)/τ² · ln((V + τ²) / (V α²)) )
 *
 * Its coverage holds simultaneously at every n, so it can be read after every event without
 * the inflation of error that repeated looks at a fixed-horizon interval cause. It is wider
 * than the Wald interval d ± z√V at every n (at 95 % by a factor ≥ 3.03 / 1.96; its width shrinks
 * like √(ln n / n) rather than √(1/n)) and narrowest relative to it near n = tuning. The guarantee rests on the normal
 * approximation, so it is meaningful once each variant has a handful of conversions.
 *
 * Null when either variant has no exposed units, or when V = 0 (no conversions, or only
 * conversions, in both variants): there is no spread to scale the interval by yet.
 */
export function alwaysValidDifferenceInterval(
  treatment: ConversionCount,
  control: ConversionCount,
  alpha: number,
  tuning: number = DEFAULT_SEQUENTIAL_TUNING,
): ConfidenceInterval | null {
  const { exposedUnits: nt, conversions: xt } = treatment;
  const { exposedUnits: nc, conversions: xc } = control;
  if (nt <= 0 || nc <= 0) return null;
  const pt = xt / nt;
  const pc = xc / nc;
  const variance = (pt * (1 - pt)) / nt + (pc * (1 - pc)) / nc;
  if (!(variance > 0)) return null;
  const mixing = standardizedMixingVariance(alpha, tuning) * (nt + nc) * variance;
  const half = Math.sqrt(((variance * (variance + mixing)) / mixing) * Math.log((variance + mixing) / (variance * alpha * alpha)));
  const d = pt - pc;
  // The true difference of two rates lies in [−1, 1]; cutting there loses no coverage.
  return { lower: Math.max(-1, d - half), upper: Math.min(1, d + half) };
}

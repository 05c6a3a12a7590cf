import type { ConversionCount, ConfidenceInterval } from './interval.js';

/**
 * Fixed-horizon interval for the relative lift, treatment rate / control rate − 1: the log
 * (Katz) interval for a ratio of proportions (Katz et al. 1978, Biometrics 34), the textbook
 * interval for a risk ratio:
 *
 *   ln(p_t / p_c) ± z √(1/x_t − 1/n_t + 1/x_c − 1/n_c), exponentiated, minus 1
 *
 * Working on the log scale keeps the interval asymmetric the way a ratio is (it cannot go
 * below −100 %). Null when either variant has no units or no conversions: the log ratio or its
 * variance is then undefined, and a made-up continuity correction would look more certain than
 * the data are.
 */
export function relativeLiftInterval(treatment: ConversionCount, control: ConversionCount, z: number): ConfidenceInterval | null {
  const { exposedUnits: nt, conversions: xt } = treatment;
  const { exposedUnits: nc, conversions: xc } = control;
  if (nt <= 0 || nc <= 0 || xt <= 0 || xc <= 0) return null;
  const logRatio = Math.log(xt / nt / (xc / nc));
  const se = Math.sqrt(1 / xt - 1 / nt + 1 / xc - 1 / nc);
  return { lower: Math.exp(logRatio - z * se) - 1, upper: Math.exp(logRatio + z * se) - 1 };
}

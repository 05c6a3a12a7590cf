import { chiSquareSurvival } from './chi-square.js';

/** Default p-value below which a sample ratio counts as mismatched (GrowthBook's default too). */
export const DEFAULT_SRM_ALPHA = 0.001;

export interface SampleRatioCheck {
  /** Pearson's statistic Σ (observed − expected)² / expected over the variants. */
  chiSquare: number;
  /** Variants − 1. */
  degreesOfFreedom: number;
  /** P(χ² ≥ chiSquare) if units really were split by the intended weights. */
  pValue: number;
  /** pValue < the SRM alpha: the split is broken, and no lift of this experiment should be trusted. */
  mismatch: boolean;
}

/**
 * Sample-ratio-mismatch check: Pearson's chi-square goodness-of-fit of the exposed units per
 * variant against the intended weights (Fabijan et al., "Diagnosing Sample Ratio Mismatch in
 * Online Controlled Experiments", KDD 2019). Units, not exposures, are tested: assignment
 * splits units, and one unit's repeated exposures are not independent draws.
 *
 * Null with fewer than two variants (nothing to compare) or no units yet.
 */
export function sampleRatioMismatch(
  units: readonly number[],
  weights: readonly number[],
  alpha: number = DEFAULT_SRM_ALPHA,
): SampleRatioCheck | null {
  if (units.length !== weights.length) throw new RangeError('sampleRatioMismatch: one weight per variant is needed');
  if (units.length < 2) return null;
  const total = units.reduce((sum, u) => sum + u, 0);
  if (total <= 0) return null;
  const weightSum = weights.reduce((sum, w) => sum + w, 0);
  let chiSquare = 0;
  units.forEach((observed, i) => {
    const expected = (total * (weights[i] ?? 0)) / weightSum;
    chiSquare += ((observed - expected) * (observed - expected)) / expected;
  });
  const degreesOfFreedom = units.length - 1;
  const pValue = chiSquareSurvival(chiSquare, degreesOfFreedom);
  return { chiSquare, degreesOfFreedom, pValue, mismatch: pValue < alpha };
}

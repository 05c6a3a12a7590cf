import { regularizedUpperGamma } from './gamma.js';

/**
 * P(X ≥ x) for X chi-square with `degreesOfFreedom`: the p-value of a chi-square statistic.
 * The chi-square distribution with k degrees of freedom is a gamma with shape k/2 and scale 2,
 * so its survival function is Q(k/2, x/2).
 */
export function chiSquareSurvival(x: number, degreesOfFreedom: number): number {
  if (!(degreesOfFreedom > 0)) throw new RangeError(`chiSquareSurvival: degrees of freedom must be > 0, got ${degreesOfFreedom}`);
  if (!(x >= 0)) throw new RangeError(`chiSquareSurvival: x must be ≥ 0, got ${x}`);
  return regularizedUpperGamma(degreesOfFreedom / 2, x / 2);
}

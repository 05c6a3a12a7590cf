import type { ConversionCount, ConfidenceInterval } from './interval.js';

/**
 * Wilson's score interval for one conversion rate (Wilson 1927): it stays inside [0, 1] and
 * keeps a useful width at 0 or all conversions, where the Wald interval collapses to a point.
 * Null without exposed units.
 */
export function wilsonInterval({ exposedUnits: n, conversions: x }: ConversionCount, z: number): ConfidenceInterval | null {
  if (n <= 0) return null;
  const p = x / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At x = 0 or x = n one bound is exactly 0 or 1; rounding must not push it past.
  return { lower: x === 0 ? 0 : Math.max(0, centre - half), upper: x === n ? 1 : Math.min(1, centre + half) };
}

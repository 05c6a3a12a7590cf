import type { ConversionCount, ConfidenceInterval } from './interval.js';
import { wilsonInterval } from './wilson.js';

/**
 * Fixed-horizon interval for the absolute lift, treatment rate − control rate: Newcombe's
 * hybrid score interval (Newcombe 1998, "ConfidenceInterval estimation for the difference between
 * independent proportions", Statistics in Medicine 17, method 10). It combines the two Wilson
 * intervals (l, u) around the rates p:
 *
 *   lower = d − √((p_t − l_t)² + (u_c − p_c)²)
 *   upper = d + √((u_t − p_t)² + (p_c − l_c)²)
 *
 * Chosen over the unpooled Wald interval because early in an experiment counts are small, and
 * Wald then collapses to zero width at 0 conversions and overshoots [−1, 1]; Newcombe's keeps
 * its coverage near nominal there and equals Wald for large counts.
 * Null when either variant has no exposed units.
 */
export function rateDifferenceInterval(treatment: ConversionCount, control: ConversionCount, z: number): ConfidenceInterval | null {
  const t = wilsonInterval(treatment, z);
  const c = wilsonInterval(control, z);
  if (!t || !c) return null;
  const pt = treatment.conversions / treatment.exposedUnits;
  const pc = control.conversions / control.exposedUnits;
  const d = pt - pc;
  return {
    lower: d - Math.hypot(pt - t.lower, c.upper - pc),
    upper: d + Math.hypot(t.upper - pt, pc - c.lower),
  };
}

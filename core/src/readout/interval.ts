/** A two-sided interval on the scale of the figure it belongs to (a rate, a difference, a lift). */
export interface ConfidenceInterval {
  lower: number;
  upper: number;
}

/** What a rate is estimated from: the units exposed and how many of them converted. */
export interface ConversionCount {
  exposedUnits: number;
  conversions: number;
}

export function rateOf(count: ConversionCount): number | null {
  return count.exposedUnits > 0 ? count.conversions / count.exposedUnits : null;
}

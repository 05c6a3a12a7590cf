/**
 * Item popularity with optional time decay, kept as forward decay (Cormode et al. 2009): a view
 * at time t adds 2^((t − landmark)/halfLife) to the item's stored sum. An update is then a plain
 * increment (ZINCRBY in Redis) that needs no read and no order, and the ranking at any later moment
 * is the ranking of the stored sums, because every sum shares the same factor 2^(−(now − landmark)/halfLife).
 * Doubles hold up to 2^1023, so the landmark must move (rescale every sum) within ~1000 half-lives.
 */

export interface PopularityOptions {
  /** Halve a view's weight every this many ms; Infinity counts every view alike. */
  readonly halfLifeMs: number;
  /** The moment at which a view weighs exactly 1 (ms, same epoch as event times). */
  readonly landmarkMs: number;
}

export const UNDECAYED_POPULARITY: PopularityOptions = { halfLifeMs: Number.POSITIVE_INFINITY, landmarkMs: 0 };

/** What one view at `timeMs` adds to its item's stored popularity. */
export function popularityIncrement(timeMs: number, options: PopularityOptions): number {
  if (!Number.isFinite(options.halfLifeMs)) return 1;
  return 2 ** ((timeMs - options.landmarkMs) / options.halfLifeMs);
}

/** A stored forward-decayed sum as the popularity at `nowMs` (for display; ranking needs no conversion). */
export function popularityAt(stored: number, nowMs: number, options: PopularityOptions): number {
  if (!Number.isFinite(options.halfLifeMs)) return stored;
  return stored * 2 ** (-(nowMs - options.landmarkMs) / options.halfLifeMs);
}

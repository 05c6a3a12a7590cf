/**
 * Forward decay (Cormode, Shkapenyuk, Srivastava, Xu 2009) for the profile's
 * category affinities. An interaction of weight w at time t is stored as
 * w·2^((t − L)/H) against a fixed landmark L; the affinity at `now` is the
 * stored sum × 2^(−(now − L)/H), i.e. Σ w·2^(−(now − t)/H): each interaction
 * halves every H. Storing it this way makes an update a plain HINCRBYFLOAT
 * (no read of the old value, no dependence on the order of updates) and lets
 * a read decay to any moment.
 *
 * The stored numbers grow by 2 every half-life; doubles hold up to 2^1023, so
 * with a 7-day half-life the landmark must move (rescale) before ~2044.
 */

export const AFFINITY_HALF_LIFE_MS = 7 * 24 * 60 * 60 * 1000;
/** 2025-01-01T00:00:00Z. */
export const DECAY_LANDMARK_MS = Date.UTC(2025, 0, 1);

/** What to add to the stored sum for an interaction of `weight` at `atMs`. */
export function forwardDecayed(weight: number, atMs: number): number {
  return weight * 2 ** ((atMs - DECAY_LANDMARK_MS) / AFFINITY_HALF_LIFE_MS);
}

/** The affinity at `nowMs` of a stored forward-decayed sum. */
export function decayedAt(stored: number, nowMs: number): number {
  return stored * 2 ** (-(nowMs - DECAY_LANDMARK_MS) / AFFINITY_HALF_LIFE_MS);
}

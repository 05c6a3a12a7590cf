/**
 * A small seeded random generator (mulberry32, Tommy Ettinger's 32-bit
 * generator): numbers in [0, 1), the same sequence for the same seed. Not for
 * anything secret: for workloads, catalogs and jitter that must come out the
 * same on every run. The seed is taken modulo 2^32.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

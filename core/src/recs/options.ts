/**
 * The scoring's hyper-parameters. The defaults were chosen on a validation split carved from the
 * training part of the Diginetica sample (see README.md, "Tuning"), never on its test set.
 */
export interface RecsOptions {
  /** How many items to return. */
  readonly n: number;
  /** m: only the m most recent sessions sharing an item with the prefix are candidates (V-SKNN's sampling). */
  readonly sampleSize: number;
  /** k: how many of the candidates, the most similar, vote. */
  readonly neighbours: number;
  /**
   * Weight of a prefix item by how far it is from the end of the prefix (d = 0 for the last):
   * 'linear' is V-SKNN's (L − d)/L; a number λ is STAN's e^(−d/λ); Infinity weighs all alike.
   */
  readonly prefixWeighting: 'linear' | number;
  /** 'cosine' divides the weighted overlap by √(|prefix| · |neighbour|) (STAN); 'dot' does not (V-SKNN). */
  readonly similarity: 'dot' | 'cosine';
  /** A neighbour's similarity halves for every this many ms it is older than now; Infinity: no decay. */
  readonly recencyHalfLifeMs: number;
  /**
   * λ3: an item of a neighbour votes e^(−g/λ3), g its distance in positions from where the neighbour
   * met the prefix's most recent shared item (STAN); Infinity: every item of a neighbour votes alike.
   */
  readonly neighbourPositionDecay: number;
  /**
   * λ_ipw: a neighbour's votes × e^(−d/λ), d how far from the end of the prefix sits the prefix's
   * most recent item it shares (V-STAN, Ludewig et al. 2021): a neighbour found only through an older
   * item of the prefix votes less. Infinity: off (STAN).
   */
  readonly anchorPositionDecay: number;
  /** Never recommend what the prefix already holds. */
  readonly excludePrefixItems: boolean;
  /**
   * How much a profile's category affinity (scaled to 0..1) adds to a session score (scaled to
   * 0..1). 0 ranks by the session alone.
   */
  readonly affinityWeight: number;
}

export const DEFAULT_RECS_OPTIONS: RecsOptions = {
  n: 20,
  // The cost bound (README.md, "Parameters"): on the sample it never binds; at a million sessions each candidate costs
  // ~2 µs of memory reads, and 200 is what the pipeline keeps per product anyway.
  sampleSize: 200,
  neighbours: 100,
  prefixWeighting: 0.5,
  similarity: 'dot',
  recencyHalfLifeMs: 90 * 24 * 60 * 60 * 1000,
  neighbourPositionDecay: 0.5,
  anchorPositionDecay: Number.POSITIVE_INFINITY,
  // Diginetica's next view often repeats an item of the prefix (56 of 102 on the sample's test set).
  excludePrefixItems: false,
  affinityWeight: 0.2,
};

/**
 * Plain V-SKNN (Ludewig & Jannach 2018) in this scorer: V-SKNN's linear prefix weights and dot
 * product, none of STAN's or V-STAN's decays. The baseline the tuned defaults are measured against.
 */
export const VSKNN_OPTIONS: RecsOptions = {
  ...DEFAULT_RECS_OPTIONS,
  prefixWeighting: 'linear',
  similarity: 'dot',
  recencyHalfLifeMs: Number.POSITIVE_INFINITY,
  neighbourPositionDecay: Number.POSITIVE_INFINITY,
  anchorPositionDecay: Number.POSITIVE_INFINITY,
};

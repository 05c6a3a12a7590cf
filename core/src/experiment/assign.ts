/**
 * Assignment of a unit to an experiment's variant: pure, stateless and the
 * same wherever it runs.
 *
 * Call it with the ANONYMOUS id, never the user id. Stickiness is the
 * caller's: the VisitorDO keeps the first assignment per anonymous id (and
 * experiment version), so a login (`identify`) never flips a variant, and the
 * assignment travels with the events (`exposure`).
 *
 * Three independent draws, each from its own bucket (bucket.ts):
 *   1. holdout: `${version}:${key}~holdout:${unitId}` < holdout → variant 'holdout'
 *      (a share of ALL units, whatever the traffic);
 *   2. traffic: `${version}:${key}~traffic:${unitId}` ≥ traffic → not in the experiment;
 *   3. variant: `${version}:${key}:${unitId}` picks a variant by weight.
 * So of all units, `holdout` are held out, `(1 − holdout) × traffic` see a
 * variant, and the rest are not in the experiment. Raising traffic only adds
 * units; nobody already in changes variant or leaves the holdout.
 */
import { bucketOf, HOLDOUT_SALT, TRAFFIC_SALT } from './bucket.js';
import { HOLDOUT_VARIANT, type Experiment, type Variant } from './schema.js';

export interface Assignment {
  experiment: string;
  /** The experiment version it was made under: a bumped version means a new assignment. */
  version: number;
  /** A configured variant's name, or 'holdout'. */
  variant: string;
}

/** The variant whose share of the summed weights covers `bucket`. */
function variantAt(variants: readonly Variant[], bucket: number): Variant | undefined {
  const total = variants.reduce((sum, variant) => sum + variant.weight, 0);
  const point = bucket * total;
  let reached = 0;
  for (const variant of variants) {
    reached += variant.weight;
    if (point < reached) return variant;
  }
  // Rounding in the running sum can leave the very top of the range uncovered.
  return variants[variants.length - 1];
}

/** `unitId`'s variant of `experiment`, 'holdout' for the holdout, or undefined when it is not in the experiment or the experiment is stopped. */
export function assign(experiment: Experiment, unitId: string): Assignment | undefined {
  const { key, version } = experiment;
  if (experiment.status === 'stopped') return undefined;

  const holdout = experiment.holdout ?? 0;
  if (holdout > 0 && bucketOf(`${key}${HOLDOUT_SALT}`, version, unitId) < holdout) {
    return { experiment: key, version, variant: HOLDOUT_VARIANT };
  }
  if (bucketOf(`${key}${TRAFFIC_SALT}`, version, unitId) >= experiment.traffic) return undefined;

  const variant = variantAt(experiment.variants, bucketOf(key, version, unitId));
  return variant ? { experiment: key, version, variant: variant.name } : undefined;
}

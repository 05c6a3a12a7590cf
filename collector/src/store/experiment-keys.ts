/**
 * Redis keys of the experiment counters (pipeline/experiments), under the
 * deployment's prefix like every other key (keys.ts).
 */
import { keyPart } from './key-parts.js';

export interface ExperimentKeys {
  /** Hash: `exposures:<variant>`, `units:<variant>`, `conversions:<variant>` → exact counts. */
  experimentCounts(experimentKey: string): string;
  /** Hash: unit (the canonical profile's ref) → `0<variant>` once exposed, `1<variant>` once converted; the first exposure fixes the variant. */
  experimentUnits(experimentKey: string): string;
}

export function experimentKeys(p: string): ExperimentKeys {
  return {
    experimentCounts: (key) => `${p}experiment:${keyPart(key)}:counts`,
    experimentUnits: (key) => `${p}experiment:${keyPart(key)}:units`,
  };
}

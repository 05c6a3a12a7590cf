/**
 * The lift of each experiment over time, sampled from its readout: in memory, bounded (the newest
 * `limit` samples per experiment, the oldest dropped first; an experiment no longer configured is
 * forgotten), and lost when the console restarts. Pure: the sampler feeds it.
 */
import type { ExperimentView } from '../shared/contract.js';
import type { LiftPoint } from '../shared/feeds.js';

export class ReadoutHistory {
  private readonly byKey = new Map<string, LiftPoint[]>();

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`ReadoutHistory: limit must be a positive whole number, got ${limit}`);
  }

  record(view: ExperimentView, atMs: number): void {
    const points = this.byKey.get(view.experiment) ?? [];
    points.push(liftPoint(view, atMs));
    if (points.length > this.limit) points.splice(0, points.length - this.limit);
    this.byKey.set(view.experiment, points);
  }

  /** Drops the experiments not in `keys` (no longer configured). */
  keepOnly(keys: readonly string[]): void {
    const keep = new Set(keys);
    for (const key of this.byKey.keys()) if (!keep.has(key)) this.byKey.delete(key);
  }

  points(key: string): LiftPoint[] {
    return [...(this.byKey.get(key) ?? [])];
  }
}

export function liftPoint(view: ExperimentView, atMs: number): LiftPoint {
  const variants: LiftPoint['variants'] = {};
  for (const v of view.variants) {
    if (v.control) continue;
    const seq = v.lift?.sequentialInterval ?? null;
    variants[v.name] = { absolute: v.lift?.absolute ?? null, lower: seq?.lower ?? null, upper: seq?.upper ?? null };
  }
  return { at: atMs, units: view.variants.reduce((sum, v) => sum + v.exposedUnits, 0), variants };
}

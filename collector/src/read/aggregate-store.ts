/**
 * What the experiment and funnel routes need of the online store: the
 * pipeline's counters as stored, before any statistics. Redis in production
 * (aggregate-redis-store.ts), a fake in route tests. Failures throw
 * ReadStoreUnavailableError (store.ts), answered with 503.
 */
import type { FunnelStep } from '../pipeline/rollups/steps.js';

/** One segment's step in one minute. */
export interface StoredFunnelCell {
  step: FunnelStep;
  source: string;
  device: string;
  events: number;
  /** Distinct visitors (HyperLogLog estimate). */
  visitors: number;
}

export interface StoredFunnelMinute {
  /** ISO minute, `2026-12-02T09:41`. */
  minute: string;
  cells: StoredFunnelCell[];
  /** Distinct visitors per step over all segments of the minute. */
  visitors: Record<FunnelStep, number>;
}

export interface StoredFunnel {
  minutes: StoredFunnelMinute[];
  /** Distinct visitors per step over the whole window (a union, not a sum of minutes). */
  visitors: Record<FunnelStep, number>;
}

export interface AggregateReads {
  /** The experiment's counters hash: `exposures:<variant>` … → count; empty when nothing was counted yet. */
  experimentCounts(experimentKey: string): Promise<Record<string, number>>;
  /** The funnel rollups of the given minutes, in the order given. */
  funnel(minutes: readonly string[]): Promise<StoredFunnel>;
  /** False while the store cannot be reached: the routes answer 503 without trying. */
  available(): boolean;
}

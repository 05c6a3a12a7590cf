/**
 * The shapes of the collector's read routes the console reads. The routes made for the console are typed in core
 * (read/views.ts, decision/decided.ts); the older views are declared here as the collector answers them.
 */

export type {
  AdminRulesView as AdminRules,
  Decided,
  ExperimentsListView as ExperimentList,
  OpenSessionSignals as SessionSignals,
  OpenSessionView,
  OpenSessionsView as OpenSessions,
  RuleFiresView as RuleFires,
} from '@sessionflow/core';

export interface Interval {
  lower: number;
  upper: number;
}

/** `GET /v1/experiments/:key` (collector/src/read/experiment-view.ts over core's `Readout`). */
export interface ExperimentView {
  experiment: string;
  version: number;
  status: 'running' | 'stopped';
  /** The event that counts as converting. */
  conversion?: { type: string; name?: string };
  control: string;
  confidence: number;
  variants: {
    name: string;
    control: boolean;
    weight: number;
    exposures: number;
    exposedUnits: number;
    conversions: number;
    conversionRate: number | null;
    conversionRateInterval: Interval | null;
    lift: {
      absolute: number | null;
      absoluteInterval: Interval | null;
      relative: number | null;
      relativeInterval: Interval | null;
      sequentialInterval: Interval | null;
    } | null;
  }[];
  sampleRatio: { chiSquare: number; degreesOfFreedom: number; pValue: number; mismatch: boolean } | null;
  holdout?: { exposures: number; exposedUnits: number; conversions: number };
  generatedAt: number;
}

export interface FunnelFigures {
  steps: Record<string, { events: number; visitors: number }>;
  conversion: { from: string; to: string; rate: number | null }[];
}

/** `GET /v1/rollups/funnel?minutes=` (collector/src/read/funnel-view.ts). */
export interface FunnelView {
  minutes: number;
  steps: string[];
  buckets: { minute: string; segments: (FunnelFigures & { source: string; device: string })[]; total: FunnelFigures }[];
  total: FunnelFigures;
  generatedAt: number;
}

/** `GET /v1/profile/user/:id`, `/v1/profile/device/:id` (core's ProfileView). */
export interface ProfileView {
  kind: 'user' | 'device';
  id: string;
  userId?: string;
  anonymousIds: string[];
  sessions: number;
  affinities: Record<string, number>;
  recentlyViewed: string[];
  purchased: string[];
  baseline?: { avgEvents: number; avgActiveMs: number; avgPageViews: number; sessions: number };
  updatedAt: number;
}

/** `GET /v1/recs` (core's RecsView). */
export interface RecsView {
  items: { id: string; name: string; category?: string; href?: string; price?: string; score: number }[];
  source: 'session' | 'popularity';
  generatedAt: number;
}

/** One part's level in `GET /v1/degradation` (collector/src/degrade/degradation-view.ts). */
export interface PartLevel {
  level: string;
  /** The signal that set it (`lag_s`, `pending_bytes`, `pipeline_silent`, ...); absent at `full`. */
  reason?: string;
}

/** `GET /v1/degradation`: the level the edge decides at (the worst), and each central part's. */
export interface DegradationView {
  level: string;
  parts: { collector: PartLevel; pipeline: (PartLevel & { lagS?: number; at?: number }) | null };
}

/**
 * The collector's read routes as issue 13's contract (part A) states them: the console codes against
 * these shapes exactly. Once core/src/read/views.ts carries `OpenSessionView` and `Decided`, these
 * declarations give way to core's.
 */

/** An action the edge decided for a visitor (core's `Decided`). */
export interface Decided {
  id: string;
  /** The edge's clock, epoch ms. */
  at: number;
  ruleId: string;
  actionId: string;
  kind: string;
  slot?: string;
  experiment?: string;
  variant?: string;
}

export interface SessionSignals {
  intentCategory: string | null;
  /** 0..1 */
  intentShare: number;
  engagement: number;
  cartAbandonmentRisk: number;
  bounceRisk: number;
}

/** `GET /v1/sessions/:sessionId`, and each of `GET /v1/sessions/open`'s sessions. Times epoch ms, scores 0..1. */
export interface OpenSessionView {
  sessionId: string;
  anonymousId: string;
  userId?: string;
  startedAt: number;
  lastActivityAt: number;
  device?: string;
  source?: string;
  pageViews: number;
  events: number;
  lastPageUrl?: string;
  cartUnits: number;
  purchased: boolean;
  signals: SessionSignals;
  variants: Record<string, string>;
  decisions: Decided[];
}

/** `GET /v1/sessions/open?limit=` */
export interface OpenSessions {
  open: number;
  visitors: number;
  sessions: OpenSessionView[];
}

/** `GET /v1/rules/fires?minutes=` */
export interface RuleFires {
  from: string;
  to: string;
  rules: { ruleId: string; fired: number; perMinute: { minute: string; fired: number }[] }[];
}

/** `GET /v1/experiments` */
export interface ExperimentList {
  experiments: { key: string; variants: string[] }[];
}

/** `GET /v1/admin/rules` (the edge's, relayed). */
export interface AdminRules {
  version: string;
  source: 'kv' | 'default';
  document: unknown;
  error?: string;
}

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

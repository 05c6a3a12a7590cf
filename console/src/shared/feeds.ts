/**
 * What the console server pushes to its pages over server-sent events: one feed per page, each
 * message the page's whole current picture (sent again only when it changed). Shared by the server
 * and the client script.
 */
import type { AdminRules, ExperimentView, FunnelView, OpenSessionView, RuleFires } from './contract.js';

export const FEEDS = ['now', 'sessions', 'session', 'experiments', 'rules', 'health'] as const;
export type FeedName = (typeof FEEDS)[number];

/** A time series for a uPlot chart: x in epoch seconds, one array of y per named series. */
export interface Series {
  t: number[];
  lines: Record<string, (number | null)[]>;
}

/** Every feed says what it could not read, so a page shows a notice instead of stale figures passing for live ones. */
export interface Problems {
  problems: string[];
}

export interface NowFeed extends Problems {
  at: number;
  open: number | null;
  visitors: number | null;
  /** Accepted events per second by event type, over the last sampling interval. */
  eventsPerSecond: Record<string, number>;
  eventsPerSecondHistory: Series;
  funnel: FunnelView | null;
}

export interface SessionsFeed extends Problems {
  at: number;
  open: number | null;
  visitors: number | null;
  sessions: OpenSessionView[];
}

export interface SessionFeed extends Problems {
  at: number;
  sessionId: string;
  /** Null when the collector does not know it (ended, or never seen). */
  session: OpenSessionView | null;
}

export interface LiftPoint {
  /** Epoch ms of the sample. */
  at: number;
  /** Exposed units of all variants at that time. */
  units: number;
  /** Per non-control variant: the absolute lift and its always-valid interval. */
  variants: Record<string, { absolute: number | null; lower: number | null; upper: number | null }>;
}

export interface ExperimentsFeed extends Problems {
  at: number;
  experiments: { key: string; variants: string[]; readout: ExperimentView | null; history: LiftPoint[] }[];
  /** How often the server samples each readout, and how many samples it keeps. */
  sampleEveryMs: number;
  historyLimit: number;
}

export interface RulesFeed extends Problems {
  at: number;
  rules: AdminRules | null;
  fires: RuleFires | null;
}

export interface LagRow {
  stage: string;
  topic: string;
  partition: string;
  lag: number;
}

export interface Quantiles {
  p50: number | null;
  p99: number | null;
  count: number;
}

export const DEGRADING_PARTS = ['edge', 'collector', 'pipeline'] as const;
export type DegradingPart = (typeof DEGRADING_PARTS)[number];

export interface PartDegradation {
  level: string;
  /** The signal that set it, when the part says (the edge reports its level without one). */
  reason?: string;
}

export type DegradationParts = Record<DegradingPart, PartDegradation | null>;

export interface HealthFeed extends Problems {
  at: number;
  lag: LagRow[];
  lagHistory: Series;
  /** Kafka produce latency of the collector over the last minute, seconds. */
  produce: Quantiles | null;
  produceHistory: Series;
  /** Latest edge outbox depth reported; null when no edge reported one. */
  outboxDepth: number | null;
  /** Edge decide latency over the last minute, seconds (null when no edge ever reported one). */
  decide: Quantiles | null;
  decideHistory: Series;
  /** Each part's degradation level and why, as far as it is reported (null: not reported). */
  degradation: DegradationParts;
  scrapes: { collector: 'ok' | 'error'; pipeline: 'ok' | 'error' };
}

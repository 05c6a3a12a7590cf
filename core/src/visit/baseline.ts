/**
 * The visitor's own usual session, which behavioural deviation compares the
 * open one with: from the profile when the pipeline has one, else kept by the
 * VisitorDO from the sessions it saw close (`baselineWith`).
 */
import type { OpenSession } from './open-session.js';

export interface SessionBaseline {
  /** Mean events per session. */
  avgEvents: number;
  /** Mean active dwell per session, ms. */
  avgActiveMs: number;
  /** Mean page views per session. */
  avgPageViews: number;
  /** How many sessions the means are over. */
  sessions: number;
}

/** The baseline with one more closed session taken into its running means. */
export function baselineWith(baseline: SessionBaseline | undefined, closed: OpenSession): SessionBaseline {
  const n = baseline?.sessions ?? 0;
  const mean = (avg: number | undefined, x: number) => ((avg ?? 0) * n + x) / (n + 1);
  return {
    avgEvents: mean(baseline?.avgEvents, closed.events),
    avgActiveMs: mean(baseline?.avgActiveMs, closed.activeMs),
    avgPageViews: mean(baseline?.avgPageViews, closed.pageViews),
    sessions: n + 1,
  };
}

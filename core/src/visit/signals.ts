/**
 * Session signals: what the open session says about the visitor right now,
 * each a pure function defined in its one-line comment. Scores are 0..1;
 * durations are ms; counts and rates say so. The risks that depend on
 * the clock are in risks.ts; `signalsOf` gathers them all for the rules.
 */
import type { SessionBaseline } from './baseline.js';
import type { OpenSession } from './open-session.js';

/** Where the signals' linear parts reach their full value. */
export const SIGNAL_SCALES = Object.freeze({
  /** Active dwell that makes engagement's dwell part full. */
  engagedDwellMs: 120_000,
  /** Clicks that make engagement's click part full. */
  engagedClicks: 10,
  /** The least active time interaction frequency divides by, so a session's first seconds give no huge rates. */
  minuteMs: 60_000,
});

/** Session duration, ms: from the session's first activity to its latest (idle time since then is not counted). */
export function sessionDuration(s: OpenSession): number {
  return s.lastActivityAt - s.startedAt;
}

/** Active dwell, ms: the sum of the session's dwell events (page visible, visitor active within the last 30 s). */
export function activeDwell(s: OpenSession): number {
  return s.activeMs;
}

/** Scroll depth, 0..100: the mean over the session's page views of the deepest scroll on each (0 before any page). */
export function scrollDepth(s: OpenSession): number {
  if (s.pageScrolls.length === 0) return 0;
  return s.pageScrolls.reduce((sum, p) => sum + p.depth, 0) / s.pageScrolls.length;
}

/** Interaction frequency, per minute: visitor actions (page views, clicks, scrolls, tracks, identifies) per minute of active dwell, at least one minute. */
export function interactionFrequency(s: OpenSession): number {
  return s.interactions / (Math.max(s.activeMs, SIGNAL_SCALES.minuteMs) / 60_000);
}

/** Engagement intensity, 0..1: 0.4 × active dwell (full at 2 min) + 0.3 × scroll depth / 100 + 0.3 × clicks (full at 10). */
export function engagementIntensity(s: OpenSession): number {
  const dwell = Math.min(1, s.activeMs / SIGNAL_SCALES.engagedDwellMs);
  const clicks = Math.min(1, s.clicks / SIGNAL_SCALES.engagedClicks);
  return 0.4 * dwell + 0.3 * (scrollDepth(s) / 100) + 0.3 * clicks;
}

/** Category intent, each 0..1: a category's share of the session's product views (views of uncategorised products count in the whole). */
export function categoryIntent(s: OpenSession): Record<string, number> {
  if (s.productViews === 0) return {};
  return Object.fromEntries(Object.entries(s.categoryViews).map(([category, views]) => [category, views / s.productViews]));
}

/** Top category of an intent: the largest share (`''` and 0 when there is none), a tie going to the first name in code-unit order. */
export function topCategory(intent: Readonly<Record<string, number>>): { category: string; share: number } {
  let top = { category: '', share: 0 };
  for (const category of Object.keys(intent).sort()) {
    const share = intent[category] ?? 0;
    if (share > top.share) top = { category, share };
  }
  return top;
}

/** Behavioural deviation, 0..1: mean over events, active dwell and page views of |session − baseline mean| / the larger of the two; 0 under 2 baseline sessions. */
export function behaviouralDeviation(s: OpenSession, baseline: SessionBaseline | undefined): number {
  if (baseline === undefined || !(baseline.sessions >= 2)) return 0;
  const parts = [
    relativeDifference(s.events, baseline.avgEvents),
    relativeDifference(s.activeMs, baseline.avgActiveMs),
    relativeDifference(s.pageViews, baseline.avgPageViews),
  ];
  return parts.reduce((sum, d) => sum + d, 0) / parts.length;
}

/** |a − b| / max(a, b) over non-negative values: 0 when equal, 1 when one of them is 0 and the other is not. */
function relativeDifference(a: number, b: number): number {
  const [x, y] = [Math.max(0, a), Number.isFinite(b) ? Math.max(0, b) : 0];
  const larger = Math.max(x, y);
  return larger === 0 ? 0 : Math.abs(x - y) / larger;
}

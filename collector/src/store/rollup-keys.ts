/**
 * Redis keys of the minute rollups (pipeline/rollups), under the deployment's
 * prefix like every other key (keys.ts). `minute` is the ISO minute of event
 * time, e.g. `2026-12-02T09:41`.
 */
export interface RollupKeys {
  /** String with an expiry: the traffic source of a session, from its landing page view. */
  sessionSource(sessionId: string): string;
  /** Hash: `<step>|<device>|<source>` → events in the minute. */
  funnelEvents(minute: string): string;
  /** HyperLogLog: distinct visitors of a step in the minute; the segment's source is appended last (the Lua script knows it, the planner does not). */
  funnelSegmentVisitors(minute: string, step: string, device: string, source: string): string;
  /** HyperLogLog: distinct visitors of a step in the minute, all segments. */
  funnelVisitors(minute: string, step: string): string;
}

export function rollupKeys(p: string): RollupKeys {
  return {
    sessionSource: (sessionId) => `${p}rollup:session-source:${sessionId}`,
    funnelEvents: (minute) => `${p}rollup:funnel:${minute}:events`,
    funnelSegmentVisitors: (minute, step, device, source) => `${p}rollup:funnel:${minute}:visitors:${step}:${device}:${source}`,
    funnelVisitors: (minute, step) => `${p}rollup:funnel:${minute}:visitors:${step}`,
  };
}

/**
 * Redis keys of the minute rollups (pipeline/rollups), under the deployment's
 * prefix like every other key (keys.ts). `minute` is the ISO minute of event
 * time, e.g. `2026-12-02T09:41`.
 */
export interface RollupKeys {
  /** Hash: `<step>|<device>|<source>` → events in the minute. */
  funnelEvents(minute: string): string;
  /** HyperLogLog: distinct visitors of one segment (device and source) of a step in the minute. */
  funnelSegmentVisitors(minute: string, step: string, device: string, source: string): string;
  /** HyperLogLog: distinct visitors of a step in the minute, all segments. */
  funnelVisitors(minute: string, step: string): string;
}

export function rollupKeys(p: string): RollupKeys {
  return {
    funnelEvents: (minute) => `${p}rollup:funnel:${minute}:events`,
    funnelSegmentVisitors: (minute, step, device, source) => `${p}rollup:funnel:${minute}:visitors:${step}:${device}:${source}`,
    funnelVisitors: (minute, step) => `${p}rollup:funnel:${minute}:visitors:${step}`,
  };
}

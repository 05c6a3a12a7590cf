/**
 * Redis keys of the minute rollups (pipeline/rollups), under the deployment's
 * prefix like every other key (keys.ts). `minute` is the ISO minute of event
 * time, e.g. `2026-12-02T09:41` (the pipeline's own format, not an id); the
 * device and the traffic source come from events and go through `keyPart`.
 */
import { keyPart } from './key-parts.js';

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
    funnelSegmentVisitors: (minute, step, device, source) => `${p}rollup:funnel:${minute}:visitors:${keyPart(step)}:${keyPart(device)}:${keyPart(source)}`,
    funnelVisitors: (minute, step) => `${p}rollup:funnel:${minute}:visitors:${keyPart(step)}`,
  };
}

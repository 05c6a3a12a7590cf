/** The device class the edge stamps on a record (`ingest.device`, from the user agent); `unknown` when absent or unexpected. */
import type { IngestedEvent } from '@sessionflow/core';

export const DEVICES = ['mobile', 'tablet', 'desktop', 'bot'] as const;
export type Device = (typeof DEVICES)[number] | 'unknown';

export function deviceOf(event: IngestedEvent): Device {
  const device = (event.ingest as { device?: unknown } | undefined)?.device;
  return typeof device === 'string' && (DEVICES as readonly string[]).includes(device) ? (device as Device) : 'unknown';
}

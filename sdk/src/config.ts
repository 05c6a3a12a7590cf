/** What a site passes to `init`, and the settings the SDK runs with once defaults are applied. */

export interface InitOptions {
  /** The site's public key; the edge refuses events without a known one. */
  siteKey: string;
  /** The edge's base URL, e.g. `https://edge.example.com`; events go to `${endpoint}/v1/collect`. */
  endpoint: string;
  /** How long an event may wait in the queue before a flush, in ms (default 1000). */
  flushIntervalMs?: number;
  /** Flush as soon as this many events are queued (default 20, at most 500). */
  maxBatch?: number;
  /** Log what the SDK does to the console. */
  debug?: boolean;
}

export interface Config {
  siteKey: string;
  /** The full collect URL, site key included. */
  collectUrl: string;
  flushIntervalMs: number;
  maxBatch: number;
  debug: boolean;
}

export const DEFAULT_FLUSH_INTERVAL_MS = 1000;
export const DEFAULT_MAX_BATCH = 20;
/** The edge takes at most 500 events per batch (core's MAX_BATCH_EVENTS). */
const MAX_BATCH_LIMIT = 500;

export function resolveConfig(options: InitOptions): Config {
  const siteKey = typeof options?.siteKey === 'string' ? options.siteKey.trim() : '';
  if (siteKey === '') throw new TypeError('sessionflow: init needs a siteKey');
  const endpoint = typeof options.endpoint === 'string' ? options.endpoint.trim().replace(/\/+$/, '') : '';
  if (!/^https?:\/\/[^/]/i.test(endpoint)) {
    throw new TypeError(`sessionflow: init needs an http(s) endpoint URL, got ${JSON.stringify(options.endpoint)}`);
  }
  return {
    siteKey,
    collectUrl: `${endpoint}/v1/collect?site=${encodeURIComponent(siteKey)}`,
    flushIntervalMs: positive(options.flushIntervalMs) ?? DEFAULT_FLUSH_INTERVAL_MS,
    maxBatch: Math.min(Math.floor(positive(options.maxBatch) ?? DEFAULT_MAX_BATCH) || 1, MAX_BATCH_LIMIT),
    debug: options.debug === true,
  };
}

function positive(value: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

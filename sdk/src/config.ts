/** What a site passes to `init`, and the settings the SDK runs with once defaults are applied. */

export interface InitOptions {
  /** The site's public key; the edge refuses events without a known one. */
  siteKey: string;
  /** The edge's base URL, e.g. `https://edge.example.com`; events go to `${endpoint}/v1/collect`. */
  endpoint: string;
  /** How long an event may wait in the queue before a flush, in ms (default 1000). */
  flushIntervalMs?: number | undefined;
  /** Flush as soon as this many events are queued (default 20, at most 500). */
  maxBatch?: number | undefined;
  /**
   * How long a collect request may take before it is aborted and retried, in ms
   * (default 10,000). The edge answers in milliseconds; the rest is room for a
   * full 60 KB batch over a slow mobile uplink.
   */
  requestTimeoutMs?: number | undefined;
  /** Log what the SDK does to the console (npm build and sessionflow.debug.js; the minified script tag has no logging). */
  debug?: boolean | undefined;
  /** Send and store nothing until `consent({ analytics: true })`; events captured before wait in memory. */
  requireConsent?: boolean | undefined;
  /** Treat Global Privacy Control and Do-Not-Track as a refusal that only `consent()` can overturn. */
  honorPrivacySignals?: boolean | undefined;
}

export interface Config {
  /** The full collect URL, site key included. */
  collectUrl: string;
  flushIntervalMs: number;
  maxBatch: number;
  requestTimeoutMs: number;
  debug: boolean;
  requireConsent: boolean;
  honorPrivacySignals: boolean;
}

export const DEFAULT_FLUSH_INTERVAL_MS = 1000;
export const DEFAULT_MAX_BATCH = 20;
/**
 * A request that has not been answered by then is taken as lost: the edge
 * answers within milliseconds, and 10 s leaves room for a full 60 KB batch
 * over a 2G-class uplink (~100 kbit/s, several round trips of connection setup).
 * Until then a hung request holds the sender lock that every tab waits for.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** The edge takes at most 500 events per batch (core's MAX_BATCH_EVENTS). */
const MAX_BATCH_LIMIT = 500;

export function resolveConfig(options: InitOptions): Config {
  const { siteKey, endpoint, flushIntervalMs, maxBatch, requestTimeoutMs } = options ?? {};
  const base = String(endpoint).trim().replace(/\/+$/, '');
  if (!String(siteKey ?? '').trim() || !/^https?:\/\/[^/]/i.test(base)) {
    throw new TypeError(`sessionflow: init needs a siteKey and an http(s) endpoint URL, got ${JSON.stringify({ siteKey, endpoint })}`);
  }
  return {
    collectUrl: `${base}/v1/collect?site=${encodeURIComponent(siteKey.trim())}`,
    flushIntervalMs: flushIntervalMs! > 0 ? flushIntervalMs! : DEFAULT_FLUSH_INTERVAL_MS,
    requestTimeoutMs: requestTimeoutMs! > 0 ? requestTimeoutMs! : DEFAULT_REQUEST_TIMEOUT_MS,
    maxBatch: Math.min(Math.floor(maxBatch! >= 1 ? maxBatch! : DEFAULT_MAX_BATCH), MAX_BATCH_LIMIT),
    debug: options.debug === true,
    requireConsent: options.requireConsent === true,
    honorPrivacySignals: options.honorPrivacySignals === true,
  };
}

/**
 * What the Worker receives from wrangler: vars from wrangler.toml (or `--var`)
 * and the relay secret. Everything is optional here because config.ts is the
 * one place that decides what is missing and says so.
 */
export interface EdgeBindings {
  COLLECTOR_URL?: string;
  /** JSON: site key -> { origins: string[], allowMissingOrigin?: boolean }. */
  SITES?: string | Record<string, unknown>;
  MAX_BODY_BYTES?: string | number;
  RELAY_TIMEOUT_MS?: string | number;
  /** A secret (`wrangler secret put`), never a var in wrangler.toml. */
  RELAY_HMAC_SECRET?: string;
  /** A secret too: the bearer the edge presents to the collector's read API (profile, recs, stock). */
  COLLECTOR_READ_SECRET?: string;
  READ_TIMEOUT_MS?: string | number;
  /** One VisitorDO per visitor (src/visitor/). */
  VISITOR?: DurableObjectNamespace<import('./visitor/visitor-do.js').VisitorDO>;
  /** Events one visitor may send per window before 429 (default 300 per 60 s). */
  VISITOR_RATE_EVENTS?: string | number;
  VISITOR_RATE_WINDOW_MS?: string | number;
  /** JSON list of experiments in core's experiment schema. */
  EXPERIMENTS?: string | unknown[];
  /** The rules document under the key `rules` (src/rules/). */
  RULES?: KVNamespace;
}

/**
 * What the Worker receives from wrangler: vars from wrangler.toml (or `--var`),
 * secrets (`wrangler secret put`) and bindings. Everything is optional here
 * because config.ts is the one place that decides what is missing and says so.
 */
export interface EdgeBindings {
  COLLECTOR_URL?: string;
  /** JSON: site key -> { origins: string[], allowMissingOrigin?: boolean, identity?: "token" | "client" }. */
  SITES?: string | Record<string, unknown>;
  MAX_BODY_BYTES?: string | number;
  RELAY_TIMEOUT_MS?: string | number;
  /** Collect requests this isolate works on at once; more get 503 `edge_busy` with Retry-After (default 64). */
  COLLECT_MAX_IN_FLIGHT?: string | number;
  /** A secret (`wrangler secret put`), never a var in wrangler.toml. */
  RELAY_HMAC_SECRET?: string;
  /** A secret too: the bearer the edge presents to the collector's read API (profile, recs, stock). */
  COLLECTOR_READ_SECRET?: string;
  /** A secret, JSON: site key -> { identity: HS256 key of identify tokens, server: the site server's bearer }. */
  SITE_SECRETS?: string | Record<string, unknown>;
  /** A secret: the bearer of /v1/admin/* (the collector's erasure). */
  ADMIN_SECRET?: string;
  /** The longest an identify token may still be valid for, in seconds (default 86400). */
  IDENTITY_TOKEN_MAX_TTL_S?: string | number;
  READ_TIMEOUT_MS?: string | number;
  /** One VisitorDO per visitor (src/visitor/). */
  VISITOR?: DurableObjectNamespace<import('./visitor/visitor-do.js').VisitorDO>;
  /** Events one visitor may send per window before 429 (default 300 per 60 s). */
  VISITOR_RATE_EVENTS?: string | number;
  VISITOR_RATE_WINDOW_MS?: string | number;
  /** How long a visitor object keeps its storage after its session and cooldowns are over (default one day). */
  VISITOR_RETAIN_MS?: string | number;
  /** Cloudflare rate-limiting bindings (`[[ratelimits]]`): requests per site, and per site and client IP. */
  SITE_RATE_LIMIT?: RateLimit;
  CLIENT_RATE_LIMIT?: RateLimit;
  /** The bindings' period in seconds (10 or 60, as in wrangler.toml): what a 429 says to wait. */
  RATE_LIMIT_PERIOD_S?: string | number;
  /** JSON list of experiments in core's experiment schema. */
  EXPERIMENTS?: string | unknown[];
  /** JSON: the degradation policy (core's DegradePolicy over the edge's signals), replacing the defaults of degrade/policy.ts. */
  SF_EDGE_DEGRADE_POLICY?: string | Record<string, unknown>;
  /** The rules document under the key `rules` (src/rules/). */
  RULES?: KVNamespace;
}

/**
 * The Worker's configuration, parsed from its bindings once per isolate and
 * cached. A bad value fails with an error naming the var, instead of surfacing
 * later as a confusing 4xx.
 */
import type { DegradePolicy } from '@sessionflow/core';
import { parseEdgeDegradePolicy } from './degrade/policy.js';
import type { EdgeBindings } from './env.js';
import { EdgeError } from './errors.js';
import { parseAdminSecret, parseSiteSecrets, type SiteSecrets } from './secrets.js';

/** How a site's identifies are trusted: signed by its server (`token`), or as the browser says (`client`, development only). */
export type IdentityMode = 'token' | 'client';

export interface SiteConfig {
  siteKey: string;
  /** Serialized origins (`scheme://host[:port]`) a browser may post from. */
  origins: ReadonlySet<string>;
  /** Whether requests without an Origin header are let in at all; they then need the site's server secret. */
  allowMissingOrigin: boolean;
  identity: IdentityMode;
  /** From SITE_SECRETS; a secret that is not set closes what it guards. */
  secrets: SiteSecrets;
}

export interface EdgeConfig {
  /** Base URL of the collector, without a trailing slash. */
  collectorUrl: string;
  sites: ReadonlyMap<string, SiteConfig>;
  maxBodyBytes: number;
  relayTimeoutMs: number;
  /** COLLECT_MAX_IN_FLIGHT: collect requests the isolate works on at once (limits/in-flight.ts). */
  collectMaxInFlight: number;
  /** UTF-8 bytes of RELAY_HMAC_SECRET; null when unset, which blocks relaying. */
  relaySecret: Uint8Array | null;
  /** COLLECTOR_READ_SECRET: the bearer secret of the collector's read API; null when unset, which leaves decisions on the session alone. */
  readSecret: string | null;
  /** How long a read of profile, recs or stock may take before it is given up (it never holds up an answer). */
  readTimeoutMs: number;
  /** ADMIN_SECRET: the bearer of /v1/admin/*; null closes them. */
  adminSecret: string | null;
  /** The longest an identify token may still be valid for. */
  identityTokenMaxTtlS: number;
  /** How long a visitor object keeps its storage once its session and cooldowns are over. */
  visitorRetainMs: number;
  /** The rate-limiting bindings' period: what a 429 asks to wait. */
  rateLimitPeriodS: number;
  /** SF_EDGE_DEGRADE_POLICY, else the defaults of degrade/policy.ts: which signals put the edge at which level. */
  degradePolicy: DegradePolicy;
}

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;
export const DEFAULT_RELAY_TIMEOUT_MS = 5_000;
/**
 * At a few to a few tens of ms of a visitor object's work per request (one workerd thread, more when the machine is
 * busy), 64 waiting keep an answer within a few seconds, well inside the SDK's 10 s.
 */
export const DEFAULT_COLLECT_MAX_IN_FLIGHT = 64;
export const DEFAULT_READ_TIMEOUT_MS = 1_000;
export const DEFAULT_IDENTITY_TOKEN_MAX_TTL_S = 86_400;
/** A day: a visitor back the same day keeps its verified link and its usual session (baseline). */
export const DEFAULT_VISITOR_RETAIN_MS = 24 * 3_600_000;
export const DEFAULT_RATE_LIMIT_PERIOD_S = 60;

function invalid(name: string, reason: string): EdgeError {
  return new EdgeError(500, 'config_invalid', `${name}: ${reason}`);
}

function parseCollectorUrl(raw: string | undefined): string {
  if (raw === undefined || raw.trim() === '') throw invalid('COLLECTOR_URL', 'is not set');
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw invalid('COLLECTOR_URL', `must be an absolute URL (got ${JSON.stringify(raw)})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('COLLECTOR_URL', 'must be an http or https URL');
  return url.href.replace(/\/+$/, '');
}

function parsePositiveInt(name: string, raw: string | number | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(raw.trim());
  if (!Number.isSafeInteger(value) || value <= 0) throw invalid(name, `must be a positive integer (got ${JSON.stringify(raw)})`);
  return value;
}

function parseNonNegativeInt(name: string, raw: string | number | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(raw.trim());
  if (!Number.isSafeInteger(value) || value < 0) throw invalid(name, `must be a non-negative integer (got ${JSON.stringify(raw)})`);
  return value;
}

function parseRatePeriod(raw: string | number | undefined): number {
  const value = parsePositiveInt('RATE_LIMIT_PERIOD_S', raw, DEFAULT_RATE_LIMIT_PERIOD_S);
  // The only periods Cloudflare's rate-limiting binding has.
  if (value !== 10 && value !== 60) throw invalid('RATE_LIMIT_PERIOD_S', `must be 10 or 60, the period of the [[ratelimits]] bindings (got ${JSON.stringify(raw)})`);
  return value;
}

function parseOrigin(siteKey: string, raw: unknown): string {
  const where = `SITES.${siteKey}.origins`;
  if (typeof raw !== 'string') throw invalid(where, 'must hold strings');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(where, `${JSON.stringify(raw)} is not an origin like https://shop.example`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== raw.replace(/\/$/, '')) {
    throw invalid(where, `${JSON.stringify(raw)} is not an origin like https://shop.example (scheme, host and port only)`);
  }
  return url.origin;
}

type SiteSettings = Omit<SiteConfig, 'secrets'>;

function parseSite(siteKey: string, raw: unknown): SiteSettings {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalid(`SITES.${siteKey}`, 'must be an object like {"origins": ["https://shop.example"]}');
  }
  const { origins, allowMissingOrigin, identity, ...rest } = raw as Record<string, unknown>;
  const unknownKeys = Object.keys(rest);
  if (unknownKeys.length > 0) throw invalid(`SITES.${siteKey}`, `unknown key ${JSON.stringify(unknownKeys[0])}`);
  if (!Array.isArray(origins)) throw invalid(`SITES.${siteKey}.origins`, 'must be an array of origins');
  if (allowMissingOrigin !== undefined && typeof allowMissingOrigin !== 'boolean') {
    throw invalid(`SITES.${siteKey}.allowMissingOrigin`, 'must be true or false');
  }
  if (identity !== undefined && identity !== 'token' && identity !== 'client') {
    throw invalid(`SITES.${siteKey}.identity`, 'must be "token" (identifies signed by the site\'s server) or "client" (development only)');
  }
  const parsed = new Set(origins.map((origin) => parseOrigin(siteKey, origin)));
  // Taking the browser's word for who is signed in is for a laptop: a site a stranger can reach would let anyone be anyone.
  const remote = [...parsed].find((origin) => !isLoopbackOrigin(origin));
  if (identity === 'client' && remote !== undefined) {
    throw invalid(`SITES.${siteKey}.identity`, `"client" is for development only, and ${remote} is not a loopback origin (localhost, 127.0.0.1, [::1]); use "token" and have the site's server sign identify tokens`);
  }
  return {
    siteKey,
    origins: parsed,
    allowMissingOrigin: allowMissingOrigin ?? false,
    identity: identity ?? 'token',
  };
}

function parseDegradePolicyVar(raw: EdgeBindings['SF_EDGE_DEGRADE_POLICY']): DegradePolicy {
  const parsed = parseEdgeDegradePolicy(raw);
  if (!parsed.ok) throw invalid(parsed.field === '' ? 'SF_EDGE_DEGRADE_POLICY' : `SF_EDGE_DEGRADE_POLICY.${parsed.field}`, parsed.reason);
  return parsed.value;
}

function isLoopbackOrigin(origin: string): boolean {
  const host = new URL(origin).hostname;
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

function parseSites(raw: EdgeBindings['SITES']): Map<string, SiteSettings> {
  if (raw === undefined || raw === '') throw invalid('SITES', 'is not set');
  let parsed: unknown = raw;
  if (typeof raw === 'string') {
    try {
      parsed = JSON.parse(raw);
    } catch (err) {
      throw invalid('SITES', `is not valid JSON (${(err as Error).message})`);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid('SITES', 'must be a JSON object mapping site keys to {"origins": [...]}');
  }
  const sites = new Map<string, SiteSettings>();
  for (const [siteKey, site] of Object.entries(parsed)) {
    // A site key names visitor objects and limiter keys (`<site>:<id>`): no `:` in it, so no site's names can alias another's.
    if (!/^[A-Za-z0-9_.-]{1,128}$/.test(siteKey)) throw invalid('SITES', `site key ${JSON.stringify(siteKey.slice(0, 128))} must be 1 to 128 of letters, digits and _ . -`);
    sites.set(siteKey, parseSite(siteKey, site));
  }
  return sites;
}

/** The development defaults of the collector's secrets, public in this repository. */
const DEV_DEFAULTS = new Set(['local-dev-relay-secret', 'local-dev-read-secret']);

/**
 * The relay and read secrets are shared with the collector, which refuses weak
 * ones off loopback; the edge does the same: a default or a secret under 32
 * bytes is taken only while the collector it talks to is on loopback (a local run).
 */
function checkSharedSecret(name: string, value: string | undefined, collectorUrl: string): void {
  if (!value) return;
  const host = new URL(collectorUrl).hostname;
  if (host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host)) return;
  if (DEV_DEFAULTS.has(value)) throw invalid(name, 'is a development default, public in this repository; outside local runs set a secret of your own (openssl rand -base64 32)');
  if (new TextEncoder().encode(value).byteLength < 32) throw invalid(name, 'must be at least 32 bytes outside local runs (openssl rand -base64 32)');
}

export function parseConfig(env: EdgeBindings): EdgeConfig {
  const secret = env.RELAY_HMAC_SECRET;
  const collectorUrl = parseCollectorUrl(env.COLLECTOR_URL);
  checkSharedSecret('RELAY_HMAC_SECRET', secret, collectorUrl);
  checkSharedSecret('COLLECTOR_READ_SECRET', env.COLLECTOR_READ_SECRET, collectorUrl);
  const settings = parseSites(env.SITES);
  const siteSecrets = parseSiteSecrets(env.SITE_SECRETS, new Set(settings.keys()));
  const sites = new Map([...settings].map(([siteKey, site]) => [siteKey, { ...site, secrets: siteSecrets.get(siteKey) ?? {} }]));
  const otherSecrets = [secret, env.COLLECTOR_READ_SECRET, ...[...siteSecrets.values()].flatMap((s) => [s.identity, s.server])];
  return {
    collectorUrl,
    sites,
    maxBodyBytes: parsePositiveInt('MAX_BODY_BYTES', env.MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES),
    relayTimeoutMs: parsePositiveInt('RELAY_TIMEOUT_MS', env.RELAY_TIMEOUT_MS, DEFAULT_RELAY_TIMEOUT_MS),
    collectMaxInFlight: parsePositiveInt('COLLECT_MAX_IN_FLIGHT', env.COLLECT_MAX_IN_FLIGHT, DEFAULT_COLLECT_MAX_IN_FLIGHT),
    relaySecret: secret ? new TextEncoder().encode(secret) : null,
    readSecret: env.COLLECTOR_READ_SECRET ? env.COLLECTOR_READ_SECRET : null,
    readTimeoutMs: parsePositiveInt('READ_TIMEOUT_MS', env.READ_TIMEOUT_MS, DEFAULT_READ_TIMEOUT_MS),
    adminSecret: parseAdminSecret(env.ADMIN_SECRET, otherSecrets),
    identityTokenMaxTtlS: parsePositiveInt('IDENTITY_TOKEN_MAX_TTL_S', env.IDENTITY_TOKEN_MAX_TTL_S, DEFAULT_IDENTITY_TOKEN_MAX_TTL_S),
    visitorRetainMs: parseNonNegativeInt('VISITOR_RETAIN_MS', env.VISITOR_RETAIN_MS, DEFAULT_VISITOR_RETAIN_MS),
    rateLimitPeriodS: parseRatePeriod(env.RATE_LIMIT_PERIOD_S),
    degradePolicy: parseDegradePolicyVar(env.SF_EDGE_DEGRADE_POLICY),
  };
}

// Keyed by the raw values rather than by the env object, whose identity the
// runtime does not promise to keep between requests.
let cached: { raw: readonly unknown[]; config: EdgeConfig } | undefined;

function rawValues(env: EdgeBindings): readonly unknown[] {
  return [
    env.COLLECTOR_URL,
    env.SITES,
    env.MAX_BODY_BYTES,
    env.RELAY_TIMEOUT_MS,
    env.COLLECT_MAX_IN_FLIGHT,
    env.RELAY_HMAC_SECRET,
    env.COLLECTOR_READ_SECRET,
    env.READ_TIMEOUT_MS,
    env.SITE_SECRETS,
    env.ADMIN_SECRET,
    env.IDENTITY_TOKEN_MAX_TTL_S,
    env.VISITOR_RETAIN_MS,
    env.RATE_LIMIT_PERIOD_S,
    env.SF_EDGE_DEGRADE_POLICY,
  ];
}

/** The parsed configuration for these bindings, parsed at most once per isolate. */
export function edgeConfig(env: EdgeBindings): EdgeConfig {
  const raw = rawValues(env);
  if (cached && cached.raw.every((value, i) => value === raw[i])) return cached.config;
  const config = parseConfig(env);
  cached = { raw, config };
  return config;
}

/** The relay key, or a clear refusal: the edge never relays unsigned. */
export function requireRelaySecret(config: EdgeConfig): Uint8Array {
  if (!config.relaySecret) {
    throw new EdgeError(
      500,
      'relay_secret_missing',
      'RELAY_HMAC_SECRET is not set: `wrangler secret put RELAY_HMAC_SECRET` (deployed) or `wrangler dev --var RELAY_HMAC_SECRET:<value>` (local)',
    );
  }
  return config.relaySecret;
}

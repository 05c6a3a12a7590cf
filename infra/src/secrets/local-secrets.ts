/**
 * The secrets of a local stack, one per scope, random for every new stack
 * (npm start keeps its own across runs: secrets-file.ts). Each scope has its
 * own value, so a test or a person holding one credential cannot use it for
 * another, just as in a deployment; and the services, which refuse a default,
 * short or shared secret outside local development, are run the way they are
 * meant to be run.
 */
import { randomBytes } from 'node:crypto';

/** A site's own secrets, which the edge holds per site key (its `SITE_SECRETS`). */
export interface SiteSecrets {
  /** HS256 key of the identity tokens the site's server signs (the storefront's SITE_IDENTITY_SECRET). */
  identity: string;
  /** Bearer of the site's own server: collect without an Origin, `GET /v1/decide`. */
  server: string;
}

export interface LocalSecrets {
  /** HMAC of the edge's relay to the collector's ingest (RELAY_HMAC_SECRET on both). */
  relay: string;
  /** Bearer of the collector's read API (READ_API_SECRET; the edge presents it as COLLECTOR_READ_SECRET). */
  read: string;
  /** Bearer of the collector's catalog feed (CATALOG_SECRET; the storefront presents it). */
  catalog: string;
  /** Bearer of the collector's administration, erasure (its ADMIN_SECRET). */
  admin: string;
  /** HMAC key of erasure markers (ERASURE_SECRET of the collector and the pipeline). */
  erasure: string;
  /** Bearer of the edge's `/v1/admin/*` (the edge's ADMIN_SECRET; the collector presents it as EDGE_ADMIN_SECRET). */
  edgeAdmin: string;
  /** Site key → that site's secrets. */
  sites: Record<string, SiteSecrets>;
}

/** What each service requires of a secret outside local development. */
export const MIN_SECRET_BYTES = 32;

/** 32 random bytes, base64url: 43 characters, safe in a header, a dotenv line and JSON. */
export const newSecret = (): string => randomBytes(MIN_SECRET_BYTES).toString('base64url');

export const SCOPES = ['relay', 'read', 'catalog', 'admin', 'erasure', 'edgeAdmin'] as const;
export const SITE_SCOPES = ['identity', 'server'] as const;

export function generateSecrets(siteKeys: readonly string[]): LocalSecrets {
  const sites = Object.fromEntries(siteKeys.map((key) => [key, { identity: newSecret(), server: newSecret() }]));
  return { relay: newSecret(), read: newSecret(), catalog: newSecret(), admin: newSecret(), erasure: newSecret(), edgeAdmin: newSecret(), sites };
}

/**
 * `stored` checked and completed: every scope (and every site in `siteKeys`)
 * it lacks gets a new secret, named in `added`. A value that is not a string of
 * at least 32 bytes, or that another scope shares, is refused with an error
 * naming its field: the services would refuse it anyway, less clearly.
 */
export function completeSecrets(stored: unknown, siteKeys: readonly string[]): { secrets: LocalSecrets; added: string[] } {
  const added: string[] = [];
  const record = (value: unknown, field: string): Record<string, unknown> => {
    if (value === undefined) return {};
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${field}: must be an object`);
    return value as Record<string, unknown>;
  };
  const secret = (value: unknown, field: string): string => {
    if (value === undefined) {
      added.push(field);
      return newSecret();
    }
    if (typeof value !== 'string' || Buffer.byteLength(value) < MIN_SECRET_BYTES) throw new Error(`${field}: must be a string of at least ${MIN_SECRET_BYTES} bytes`);
    return value;
  };
  const top = record(stored, 'secrets');
  const storedSites = record(top['sites'], 'sites');
  const secrets = Object.fromEntries(SCOPES.map((scope) => [scope, secret(top[scope], scope)])) as Omit<LocalSecrets, 'sites'>;
  const sites: Record<string, SiteSecrets> = {};
  for (const key of new Set([...Object.keys(storedSites), ...siteKeys])) {
    const site = record(storedSites[key], `sites.${key}`);
    sites[key] = { identity: secret(site['identity'], `sites.${key}.identity`), server: secret(site['server'], `sites.${key}.server`) };
  }
  const all = { ...secrets, sites };
  const owners = new Map<string, string>();
  for (const [field, value] of secretFields(all)) {
    const other = owners.get(value);
    if (other !== undefined) throw new Error(`${field}: the same value as ${other}; each scope needs its own secret`);
    owners.set(value, field);
  }
  return { secrets: all, added };
}

/** Every secret with the field that names it (`relay`, `sites.<key>.identity`, ...). */
export function secretFields(secrets: LocalSecrets): [field: string, value: string][] {
  return [
    ...SCOPES.map((scope): [string, string] => [scope, secrets[scope]]),
    ...Object.entries(secrets.sites).flatMap(([key, site]) => SITE_SCOPES.map((scope): [string, string] => [`sites.${key}.${scope}`, site[scope]])),
  ];
}

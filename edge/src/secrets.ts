/**
 * The secrets with a scope each (DESIGN.md, "Nobody gets in where they don't
 * belong"): per site, the key its server signs identify tokens with and the
 * bearer its server presents; for the edge, the admin bearer. Parsed with the
 * rest of the config; a weak or shared one is refused with the field named,
 * never with its value.
 */
import { EdgeError } from './errors.js';

export interface SiteSecrets {
  /** HS256 key of the site's identify tokens. */
  identity?: string;
  /** Bearer of the site's own server: collects without an Origin, `GET /v1/decide`. */
  server?: string;
}

/** What a secret must at least hold: 32 bytes, the length of an HS256 key worth its name. */
export const MIN_SECRET_BYTES = 32;

function invalid(name: string, reason: string): EdgeError {
  return new EdgeError(500, 'config_invalid', `${name}: ${reason}`);
}

function secretValue(name: string, raw: unknown): string {
  if (typeof raw !== 'string') throw invalid(name, 'must be a string');
  if (new TextEncoder().encode(raw).byteLength < MIN_SECRET_BYTES) {
    throw invalid(name, `must be at least ${MIN_SECRET_BYTES} bytes (e.g. \`openssl rand -base64 32\`)`);
  }
  return raw;
}

/** SITE_SECRETS: `{ "<siteKey>": { "identity": "...", "server": "..." } }`, every site named in SITES. */
export function parseSiteSecrets(raw: string | Record<string, unknown> | undefined, siteKeys: ReadonlySet<string>): Map<string, SiteSecrets> {
  const secrets = new Map<string, SiteSecrets>();
  if (raw === undefined || raw === '') return secrets;
  let parsed: unknown = raw;
  if (typeof raw === 'string') {
    try {
      parsed = JSON.parse(raw);
    } catch {
      // Not the parser's message: it may quote the secret.
      throw invalid('SITE_SECRETS', 'is not valid JSON');
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid('SITE_SECRETS', 'must be a JSON object mapping site keys to {"identity": "...", "server": "..."}');
  }
  for (const [siteKey, site] of Object.entries(parsed)) {
    const where = `SITE_SECRETS.${siteKey}`;
    if (!siteKeys.has(siteKey)) throw invalid(where, 'names no site of SITES');
    if (typeof site !== 'object' || site === null || Array.isArray(site)) throw invalid(where, 'must be an object like {"identity": "...", "server": "..."}');
    const { identity, server, ...rest } = site as Record<string, unknown>;
    const unknownKeys = Object.keys(rest);
    if (unknownKeys.length > 0) throw invalid(where, `unknown key ${JSON.stringify(unknownKeys[0])}`);
    const entry: SiteSecrets = {};
    if (identity !== undefined) entry.identity = secretValue(`${where}.identity`, identity);
    if (server !== undefined) entry.server = secretValue(`${where}.server`, server);
    if (entry.identity !== undefined && entry.identity === entry.server) throw invalid(`${where}.server`, 'must differ from the identity secret (one secret, one scope)');
    secrets.set(siteKey, entry);
  }
  return secrets;
}

/** ADMIN_SECRET: unset closes /v1/admin/*; set, it must be strong and nobody else's. */
export function parseAdminSecret(raw: string | undefined, others: Iterable<string | undefined>): string | null {
  if (raw === undefined || raw === '') return null;
  const secret = secretValue('ADMIN_SECRET', raw);
  for (const other of others) if (other === secret) throw invalid('ADMIN_SECRET', 'must differ from every other secret (one secret, one scope)');
  return secret;
}

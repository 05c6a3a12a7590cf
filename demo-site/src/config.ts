/** The demo-site's settings, read once at start-up from the environment, with defaults that run locally. */

export interface DemoSiteConfig {
  port: number;
  host: string;
  edgeUrl: string;
  siteKey: string;
  /** Where the catalog feed goes at start-up; without both, none is sent. */
  collectorUrl: string | undefined;
  /** The collector's catalog-scope bearer (`CATALOG_SECRET`). */
  catalogSecret: string | undefined;
  /** The site's identity secret (`SITE_IDENTITY_SECRET`): the key identity tokens are signed with; the edge verifies with the same one. */
  identitySecret: string | undefined;
  /** What the storefront should say at start-up about its settings (a local run without a secret). */
  warnings: string[];
}

/** HS256 keys shorter than this are guessable; the edge refuses them too. */
export const MIN_SECRET_BYTES = 32;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * A local run: the storefront listens on loopback only, or SESSIONFLOW_DEV=1.
 * Anywhere else a missing or short identity secret stops the start: the shop
 * would otherwise hand out tokens anyone could forge, or none at all.
 */
export const isLocalRun = (host: string, env: NodeJS.ProcessEnv): boolean => LOOPBACK.test(host) || env['SESSIONFLOW_DEV'] === '1';

export function readConfig(env: NodeJS.ProcessEnv): DemoSiteConfig {
  const port = Number(env['DEMO_PORT'] ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`DEMO_PORT must be a port number, got ${env['DEMO_PORT']}`);
  const host = env['DEMO_HOST'] ?? '127.0.0.1';
  const identitySecret = env['SITE_IDENTITY_SECRET'] || undefined;
  const warnings: string[] = [];
  const weak =
    identitySecret === undefined
      ? 'SITE_IDENTITY_SECRET is not set: sign-in is off (the storefront cannot sign identity tokens)'
      : Buffer.byteLength(identitySecret) < MIN_SECRET_BYTES
        ? `SITE_IDENTITY_SECRET is shorter than ${MIN_SECRET_BYTES} bytes`
        : undefined;
  if (weak !== undefined) {
    if (!isLocalRun(host, env)) {
      throw new Error(`${weak}. Set SITE_IDENTITY_SECRET to the site's identity secret (the one the edge holds for this site key, at least ${MIN_SECRET_BYTES} bytes), or set SESSIONFLOW_DEV=1 for a development run on ${host}`);
    }
    warnings.push(weak);
  }
  if (!env['CATALOG_SECRET'] && env['READ_API_SECRET']) {
    warnings.push('READ_API_SECRET is no longer used for the catalog feed: set CATALOG_SECRET (the collector\'s catalog scope)');
  }
  return {
    port,
    host,
    edgeUrl: env['EDGE_URL'] ?? 'http://127.0.0.1:8787',
    siteKey: env['SITE_KEY'] ?? 'demo-site-key',
    collectorUrl: env['COLLECTOR_URL'] || undefined,
    catalogSecret: env['CATALOG_SECRET'] || undefined,
    identitySecret,
    warnings,
  };
}

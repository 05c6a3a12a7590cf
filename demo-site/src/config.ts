/** The demo-site's settings, read once at start-up from the environment, with defaults that run locally. */

export interface DemoSiteConfig {
  port: number;
  host: string;
  edgeUrl: string;
  siteKey: string;
  /** Where the catalog feed goes at start-up; without both, none is sent. */
  collectorUrl: string | undefined;
  readApiSecret: string | undefined;
}

export function readConfig(env: NodeJS.ProcessEnv): DemoSiteConfig {
  const port = Number(env['DEMO_PORT'] ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`DEMO_PORT must be a port number, got ${env['DEMO_PORT']}`);
  return {
    port,
    host: env['DEMO_HOST'] ?? '127.0.0.1',
    edgeUrl: env['EDGE_URL'] ?? 'http://127.0.0.1:8787',
    siteKey: env['SITE_KEY'] ?? 'demo-site-key',
    collectorUrl: env['COLLECTOR_URL'] || undefined,
    readApiSecret: env['READ_API_SECRET'] || undefined,
  };
}

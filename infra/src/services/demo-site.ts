/** The demo storefront as a child process (`node demo-site/dist/main.js`). */
import path from 'node:path';
import { repoRoot } from '../paths.js';
import { startHttpService, type HttpService } from './http-service.js';

export interface DemoSiteOptions {
  port: number;
  edgeUrl: string;
  siteKey: string;
  /** The site's identity secret: the storefront signs the identity tokens of its sign-in with it (SITE_IDENTITY_SECRET). */
  identitySecret?: string | undefined;
  /** Where the storefront sends its catalog feed at start-up, and the collector's catalog bearer (CATALOG_SECRET). */
  collectorUrl?: string | undefined;
  catalogSecret?: string | undefined;
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

export function startDemoSiteProcess(opts: DemoSiteOptions): Promise<HttpService> {
  return startHttpService({
    name: 'demo-site',
    command: process.execPath,
    args: [path.join(repoRoot, 'demo-site', 'dist', 'main.js')],
    env: {
      ...process.env,
      ...opts.env,
      DEMO_HOST: '127.0.0.1',
      DEMO_PORT: String(opts.port),
      EDGE_URL: opts.edgeUrl,
      SITE_KEY: opts.siteKey,
      ...(opts.identitySecret !== undefined ? { SITE_IDENTITY_SECRET: opts.identitySecret } : {}),
      ...(opts.collectorUrl !== undefined && opts.catalogSecret !== undefined ? { COLLECTOR_URL: opts.collectorUrl, CATALOG_SECRET: opts.catalogSecret } : {}),
    },
    logFile: opts.logFile,
    port: opts.port,
    readyPath: '/',
    readyTimeoutMs: 30_000,
    stopGraceMs: 10_000,
  });
}

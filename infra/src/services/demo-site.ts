/** The demo storefront as a child process (`node demo-site/dist/main.js`). */
import path from 'node:path';
import { repoRoot } from '../paths.js';
import { startHttpService, type HttpService } from './http-service.js';

export interface DemoSiteOptions {
  port: number;
  edgeUrl: string;
  siteKey: string;
  /** Where the storefront sends its catalog feed at start-up. */
  collectorUrl?: string | undefined;
  readSecret?: string | undefined;
  logFile: string;
}

export function startDemoSiteProcess(opts: DemoSiteOptions): Promise<HttpService> {
  return startHttpService({
    name: 'demo-site',
    command: process.execPath,
    args: [path.join(repoRoot, 'demo-site', 'dist', 'main.js')],
    env: {
      ...process.env,
      DEMO_HOST: '127.0.0.1',
      DEMO_PORT: String(opts.port),
      EDGE_URL: opts.edgeUrl,
      SITE_KEY: opts.siteKey,
      ...(opts.collectorUrl !== undefined && opts.readSecret !== undefined ? { COLLECTOR_URL: opts.collectorUrl, READ_API_SECRET: opts.readSecret } : {}),
    },
    logFile: opts.logFile,
    port: opts.port,
    readyPath: '/',
    readyTimeoutMs: 30_000,
    stopGraceMs: 10_000,
  });
}

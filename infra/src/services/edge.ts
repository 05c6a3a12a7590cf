/**
 * The edge Worker in workerd through `wrangler dev`, with the collector's URL,
 * the relay secret and the allowed sites passed as vars, so tests can point it
 * at their own ports without touching wrangler.toml.
 */
import path from 'node:path';
import { repoRoot } from '../paths.js';
import { startHttpService, type HttpService } from './http-service.js';

export interface EdgeOptions {
  port: number;
  collectorUrl: string;
  secret: string;
  /** The bearer the Worker presents to the collector's read API; without it the edge reads nothing. */
  readSecret?: string;
  /** site key → allowed origins */
  sites: Record<string, { origins: string[] }>;
  /** Durable Object and KV state of this run. */
  persistDir: string;
  logFile: string;
}

export function startEdgeProcess(opts: EdgeOptions): Promise<HttpService> {
  const wrangler = path.join(repoRoot, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
  return startHttpService({
    name: 'edge',
    command: process.execPath,
    args: [
      wrangler,
      'dev',
      '--ip', '127.0.0.1',
      '--port', String(opts.port),
      '--persist-to', opts.persistDir,
      '--show-interactive-dev-session=false',
      '--var', `COLLECTOR_URL:${opts.collectorUrl}`,
      '--var', `RELAY_HMAC_SECRET:${opts.secret}`,
      ...(opts.readSecret !== undefined ? ['--var', `COLLECTOR_READ_SECRET:${opts.readSecret}`] : []),
      '--var', `SITES:${JSON.stringify(opts.sites)}`,
    ],
    cwd: path.join(repoRoot, 'edge'),
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      // wrangler's own debug log goes beside ours, not into the user's home.
      WRANGLER_LOG_PATH: path.dirname(opts.logFile),
      NO_COLOR: '1',
    },
    logFile: opts.logFile,
    port: opts.port,
    readyPath: '/healthz',
    readyTimeoutMs: 90_000,
    stopGraceMs: 10_000,
  });
}

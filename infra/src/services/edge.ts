/**
 * The edge Worker in workerd through `wrangler dev`, with the collector's URL,
 * the relay secret and the allowed sites passed as vars, so tests can point it
 * at their own ports without touching wrangler.toml.
 */
import path from 'node:path';
import { startChild, waitUntil, type Child } from '../process/child.js';
import { repoRoot } from '../paths.js';
import { answers2xx } from './http-ready.js';

export interface EdgeOptions {
  port: number;
  collectorUrl: string;
  secret: string;
  /** site key → allowed origins */
  sites: Record<string, { origins: string[] }>;
  /** Durable Object and KV state of this run. */
  persistDir: string;
  logFile: string;
}

export interface EdgeProcess {
  url: string;
  child: Child;
  stop(): Promise<void>;
}

export async function startEdgeProcess(opts: EdgeOptions): Promise<EdgeProcess> {
  const edgeDir = path.join(repoRoot, 'edge');
  const wrangler = path.join(repoRoot, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
  const child = startChild({
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
      '--var', `SITES:${JSON.stringify(opts.sites)}`,
    ],
    cwd: edgeDir,
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      // wrangler's own debug log goes beside ours, not into the user's home.
      WRANGLER_LOG_PATH: path.dirname(opts.logFile),
      NO_COLOR: '1',
    },
    logFile: opts.logFile,
  });
  const url = `http://127.0.0.1:${opts.port}`;
  try {
    await waitUntil('edge (wrangler dev)', () => answers2xx(`${url}/healthz`), { timeoutMs: 90_000, intervalMs: 300, child });
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { url, child, stop: () => child.stop(10_000) };
}

/** The demo storefront as a child process (`node demo-site/dist/main.js`). */
import path from 'node:path';
import { startChild, waitUntil, type Child } from '../process/child.js';
import { repoRoot } from '../paths.js';
import { answers2xx } from './http-ready.js';

export interface DemoSiteOptions {
  port: number;
  edgeUrl: string;
  siteKey: string;
  logFile: string;
}

export interface DemoSiteProcess {
  url: string;
  child: Child;
  stop(): Promise<void>;
}

export async function startDemoSiteProcess(opts: DemoSiteOptions): Promise<DemoSiteProcess> {
  const child = startChild({
    name: 'demo-site',
    command: process.execPath,
    args: [path.join(repoRoot, 'demo-site', 'dist', 'main.js')],
    env: {
      ...process.env,
      DEMO_HOST: '127.0.0.1',
      DEMO_PORT: String(opts.port),
      EDGE_URL: opts.edgeUrl,
      SITE_KEY: opts.siteKey,
    },
    logFile: opts.logFile,
  });
  const url = `http://127.0.0.1:${opts.port}`;
  try {
    await waitUntil('demo-site', () => answers2xx(`${url}/`), { timeoutMs: 30_000, child });
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { url, child, stop: () => child.stop(10_000) };
}

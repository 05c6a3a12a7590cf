/** The console as a child process (`node console/dist/main.js`). */
import path from 'node:path';
import { repoRoot } from '../paths.js';
import { startHttpService, type HttpService } from './http-service.js';

export interface ConsoleOptions {
  port: number;
  collectorUrl: string;
  /** The pipeline's health server; its /metrics is scraped. Unset, the Health page says the pipeline cannot be read. */
  pipelineUrl?: string | undefined;
  readSecret: string;
  /** The collector's admin secret: the console's login, and the bearer of its admin routes. */
  adminSecret: string;
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

export function startConsoleProcess(opts: ConsoleOptions): Promise<HttpService> {
  return startHttpService({
    name: 'console',
    command: process.execPath,
    args: [path.join(repoRoot, 'console', 'dist', 'main.js')],
    env: {
      ...process.env,
      CONSOLE_HOST: '127.0.0.1',
      CONSOLE_PORT: String(opts.port),
      COLLECTOR_URL: opts.collectorUrl,
      // Without a pipeline here, a port nothing listens on: the page then says it cannot be read.
      PIPELINE_URL: opts.pipelineUrl ?? 'http://127.0.0.1:9',
      READ_API_SECRET: opts.readSecret,
      ADMIN_SECRET: opts.adminSecret,
      ...opts.env,
    },
    logFile: opts.logFile,
    port: opts.port,
    // The login page answers without a login: the server is up.
    readyPath: '/login',
    readyTimeoutMs: 30_000,
    stopGraceMs: 10_000,
  });
}

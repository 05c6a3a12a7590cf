/**
 * The edge Worker in workerd through `wrangler dev`, with the collector's URL
 * and the allowed sites passed as vars and its secrets in a dotenv file of the
 * run folder (`--env-file`), so tests can point it at their own ports and
 * secrets without touching wrangler.toml or the repository.
 */
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../paths.js';
import { writeDotenvFile } from '../secrets/dotenv.js';
import type { SiteSecrets } from '../secrets/local-secrets.js';
import { startHttpService, type HttpService } from './http-service.js';

/** A site as the edge's SITES var describes it. */
export interface EdgeSite {
  /** Browser origins allowed to send the site's events. */
  origins: string[];
  /** Accept collect requests without an Origin (server-side callers, who then present the site's server secret). */
  allowMissingOrigin?: boolean;
  /** `"client"` trusts identifies as sent (development only); the default `"token"` verifies them. */
  identity?: 'token' | 'client';
}

export interface EdgeOptions {
  port: number;
  collectorUrl: string;
  /** The relay HMAC secret (RELAY_HMAC_SECRET). */
  secret: string;
  /** The bearer the Worker presents to the collector's read API; without it the edge reads nothing. */
  readSecret?: string | undefined;
  /** The bearer of the edge's `/v1/admin/*` (its ADMIN_SECRET), which the collector's erasure presents. */
  adminSecret?: string | undefined;
  /** site key → allowed origins, and how it treats identity */
  sites: Record<string, EdgeSite>;
  /** site key → its identity and server secrets (SITE_SECRETS). */
  siteSecrets?: Record<string, SiteSecrets> | undefined;
  /** Durable Object and KV state of this run. */
  persistDir: string;
  logFile: string;
  /** Where the dotenv file with the secrets is written (default: beside persistDir, `edge.secrets.env`). */
  secretsFile?: string | undefined;
  /**
   * wrangler's log level (`--log-level`). Default `warn`: the Worker's warnings
   * and errors (which name visitors only by a hash, edge/src/log-id.ts), and not
   * wrangler's request lines, which print each request's path and query, and
   * those name visitors (`/v1/admin/visitors/<anonymous id>`, `decide?visitor=`).
   * `info` shows them, for a run that keeps no one's data.
   */
  logLevel?: 'debug' | 'info' | 'log' | 'warn' | 'error' | undefined;
  /** More plain vars for the Worker (`--var NAME:value`), e.g. a test's degradation policy. */
  vars?: Record<string, string> | undefined;
}

/**
 * Where wrangler writes its debug log, whatever the log level: it records the
 * URL of every request the Worker makes, and the collector's read API names
 * users and devices in its URLs (`/v1/profile/user/<user id>`, `recs?user=`),
 * so the run keeps none: the file is a link to /dev/null.
 */
function discardedDebugLog(logFile: string): string {
  const file = path.join(path.dirname(logFile), 'wrangler-debug.log');
  mkdirSync(path.dirname(file), { recursive: true });
  rmSync(file, { force: true });
  symlinkSync('/dev/null', file);
  return file;
}

/** The secrets as the Worker's bindings name them. */
export function edgeSecretBindings(opts: Pick<EdgeOptions, 'secret' | 'readSecret' | 'adminSecret' | 'siteSecrets'>): Record<string, string> {
  return {
    RELAY_HMAC_SECRET: opts.secret,
    ...(opts.readSecret !== undefined ? { COLLECTOR_READ_SECRET: opts.readSecret } : {}),
    ...(opts.adminSecret !== undefined ? { ADMIN_SECRET: opts.adminSecret } : {}),
    ...(opts.siteSecrets !== undefined ? { SITE_SECRETS: JSON.stringify(opts.siteSecrets) } : {}),
  };
}

export function startEdgeProcess(opts: EdgeOptions): Promise<HttpService> {
  const wrangler = path.join(repoRoot, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
  const secretsFile = opts.secretsFile ?? path.join(path.dirname(opts.persistDir), 'edge.secrets.env');
  // With --env-file, wrangler reads no edge/.dev.vars a developer may keep: this file alone holds the secrets.
  writeDotenvFile(secretsFile, edgeSecretBindings(opts));
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
      '--log-level', opts.logLevel ?? 'warn',
      '--env-file', secretsFile,
      '--var', `COLLECTOR_URL:${opts.collectorUrl}`,
      '--var', `SITES:${JSON.stringify(opts.sites)}`,
      ...Object.entries(opts.vars ?? {}).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
    ],
    cwd: path.join(repoRoot, 'edge'),
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      // The env file is read as the Worker's secrets whatever the caller's shell says, and nothing else of this environment is.
      CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV: 'true',
      CLOUDFLARE_INCLUDE_PROCESS_ENV: 'false',
      // wrangler's own debug log goes nowhere (discardedDebugLog), not into the user's home.
      WRANGLER_LOG_PATH: discardedDebugLog(opts.logFile),
      NO_COLOR: '1',
    },
    logFile: opts.logFile,
    port: opts.port,
    readyPath: '/healthz',
    readyTimeoutMs: 90_000,
    stopGraceMs: 10_000,
  });
}

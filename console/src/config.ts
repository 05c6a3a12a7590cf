/**
 * The console's configuration: typed, read once at start-up, defaults that run against `npm start`'s
 * local stack. A missing or weak secret is refused outside local development, like the collector's
 * (its secrets/policy.ts): weak means unset, a development default, shorter than 32 bytes, or the
 * same value in both variables; accepted with a warning only on a loopback host or with SESSIONFLOW_DEV=1.
 */
import { isIP } from 'node:net';

export interface ConsoleConfig {
  /** `CONSOLE_HOST` */
  host: string;
  /** `CONSOLE_PORT`; 0 picks a free one (tests). */
  port: number;
  /** `COLLECTOR_URL`: the read API and its /metrics. */
  collectorUrl: string;
  /** `PIPELINE_URL`: the pipeline's health server; its /metrics is scraped. */
  pipelineUrl: string;
  /** `READ_API_SECRET`: the collector's read scope. Never leaves the server. */
  readSecret: string;
  /** `ADMIN_SECRET`: the collector's admin scope, and the console's login. */
  adminSecret: string;
  /** `CONSOLE_POLL_MS`: how often a watched page's data is read again (1 s). */
  pollMs: number;
  /** `CONSOLE_READOUT_SAMPLE_MS`: how often every experiment's readout is sampled into the lift history (10 s). */
  readoutSampleMs: number;
  /** `CONSOLE_READOUT_HISTORY`: samples kept per experiment, the oldest dropped first (360: an hour at 10 s). */
  readoutHistory: number;
  /** `CONSOLE_SESSION_HOURS`: how long a login lasts (12). */
  sessionHours: number;
}

/** The collector's development defaults (collector/src/config.ts DEV_SECRETS), known to anyone who reads the repository. */
export const DEV_SECRETS = Object.freeze({ read: 'local-dev-read-secret', admin: 'local-dev-admin-secret' });
export const MIN_SECRET_BYTES = 32;

export const DEFAULT_CONFIG: ConsoleConfig = {
  host: '127.0.0.1',
  port: 8791,
  collectorUrl: 'http://127.0.0.1:8788',
  pipelineUrl: 'http://127.0.0.1:8790',
  readSecret: DEV_SECRETS.read,
  adminSecret: DEV_SECRETS.admin,
  pollMs: 1000,
  readoutSampleMs: 10_000,
  readoutHistory: 360,
  sessionHours: 12,
};

export type Env = Record<string, string | undefined>;

export interface ReadConfigResult {
  config: ConsoleConfig;
  /** What a development run is told about its secrets. */
  warnings: string[];
}

/** Reads the environment; throws naming the variable when a value is unusable or a secret is refused. */
export function readConfig(env: Env = process.env): ReadConfigResult {
  const d = DEFAULT_CONFIG;
  const config: ConsoleConfig = {
    host: text(env, 'CONSOLE_HOST', d.host),
    port: integer(env, 'CONSOLE_PORT', d.port, 0, 65_535),
    collectorUrl: url(env, 'COLLECTOR_URL', d.collectorUrl),
    pipelineUrl: url(env, 'PIPELINE_URL', d.pipelineUrl),
    readSecret: text(env, 'READ_API_SECRET', d.readSecret),
    adminSecret: text(env, 'ADMIN_SECRET', d.adminSecret),
    pollMs: integer(env, 'CONSOLE_POLL_MS', d.pollMs, 100, 60_000),
    readoutSampleMs: integer(env, 'CONSOLE_READOUT_SAMPLE_MS', d.readoutSampleMs, 100, 3_600_000),
    readoutHistory: integer(env, 'CONSOLE_READOUT_HISTORY', d.readoutHistory, 2, 100_000),
    sessionHours: integer(env, 'CONSOLE_SESSION_HOURS', d.sessionHours, 1, 24 * 30),
  };
  const weaknesses = secretWeaknesses([
    { variable: 'READ_API_SECRET', value: config.readSecret, devDefault: DEV_SECRETS.read },
    { variable: 'ADMIN_SECRET', value: config.adminSecret, devDefault: DEV_SECRETS.admin },
  ]);
  if (weaknesses.length === 0) return { config, warnings: [] };
  const devMode = env['SESSIONFLOW_DEV'] === '1';
  if (devMode || isLoopbackHost(config.host)) {
    const why = devMode ? 'SESSIONFLOW_DEV=1' : `CONSOLE_HOST=${config.host} is loopback only`;
    return { config, warnings: weaknesses.map((w) => `${w}: accepted because ${why}; never deploy like this`) };
  }
  throw new Error(
    `the console refuses to start on ${config.host} with weak secrets (listen on loopback only, or set SESSIONFLOW_DEV=1 for a development run):\n` +
      weaknesses.map((w) => `  - ${w}: generate one with \`openssl rand -base64 32\``).join('\n'),
  );
}

interface SecretSetting {
  variable: string;
  value: string;
  devDefault: string;
}

export function secretWeaknesses(secrets: readonly SecretSetting[]): string[] {
  const out: string[] = [];
  for (const { variable, value, devDefault } of secrets) {
    if (value === '' || value === devDefault) out.push(`${variable} is not set (or is the development default)`);
    else if (Buffer.byteLength(value, 'utf8') < MIN_SECRET_BYTES) out.push(`${variable} is shorter than ${MIN_SECRET_BYTES} bytes`);
  }
  const [a, b] = secrets;
  if (a && b && a.value === b.value) out.push(`${a.variable} and ${b.variable} hold the same value: each scope needs a secret of its own`);
  return out;
}

/** `localhost`, 127.0.0.0/8 or ::1: only this machine can reach it. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.split('.')[0] === '127';
}

function text(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new Error(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min || n > max) throw new Error(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function url(env: Env, name: string, fallback: string): string {
  const raw = text(env, name, fallback);
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new Error(`${name} must be an http(s) URL, got ${JSON.stringify(raw)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`${name} must be an http(s) URL, got ${JSON.stringify(raw)}`);
  return raw.replace(/\/+$/, '');
}

/**
 * The built collector and pipeline (`dist/main.js`, `dist/pipeline/main.js`)
 * refuse to start off loopback with a weak secret: they exit non-zero, naming
 * the variable, before they connect to anything (the Kafka and Redis they are
 * pointed at do not exist, and no message may mention them).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');
const strong = (scope: string) => `${scope}-${'s'.repeat(40)}`;
const STRONG = {
  RELAY_HMAC_SECRET: strong('relay'),
  READ_API_SECRET: strong('read'),
  CATALOG_SECRET: strong('catalog'),
  ADMIN_SECRET: strong('admin'),
  ERASURE_SECRET: strong('erasure'),
};
// Nowhere: a service that got past its secrets would fail on these instead, with another message.
const NOWHERE = { KAFKA_BROKERS: '127.0.0.1:9', REDIS_URL: 'redis://127.0.0.1:9' };

interface Exit {
  code: number | null;
  stderr: string;
}

/** Runs a built entry point with only `env` (no inherited secrets or SESSIONFLOW_DEV) until it exits; stopped by its pid if a test fails first. */
async function run(entry: string, env: Record<string, string>): Promise<Exit> {
  const child = spawn(process.execPath, [path.join(dist, entry)], { env: { PATH: process.env['PATH'] ?? '', ...NOWHERE, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.resume();
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode) => resolve(exitCode));
    });
    // 'exit' can come before the last of stderr.
    await new Promise<void>((resolve) => (child.stderr.readableEnded ? resolve() : child.stderr.once('end', () => resolve())));
    return { code, stderr };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

function expectRefused(exit: Exit, named: string[], notNamed: string[] = []): void {
  expect(exit.code).not.toBe(0);
  expect(exit.code).not.toBeNull();
  for (const variable of named) expect(exit.stderr).toContain(variable);
  for (const variable of notNamed) expect(exit.stderr).not.toContain(variable);
  expect(exit.stderr).toContain('openssl rand -base64 32');
  expect(exit.stderr).not.toMatch(/kafka|redis/i);
}

describe('the collector (dist/main.js) off loopback', () => {
  it('exits non-zero naming every secret left at its development default', async () => {
    const exit = await run('main.js', { COLLECTOR_HOST: '0.0.0.0' });
    expectRefused(exit, ['RELAY_HMAC_SECRET', 'READ_API_SECRET', 'CATALOG_SECRET', 'ADMIN_SECRET', 'ERASURE_SECRET']);
  });

  it('exits non-zero naming the one short secret, and only that one', async () => {
    const exit = await run('main.js', { COLLECTOR_HOST: '0.0.0.0', ...STRONG, CATALOG_SECRET: 'too-short-for-a-secret' });
    expectRefused(exit, ['CATALOG_SECRET'], ['RELAY_HMAC_SECRET', 'READ_API_SECRET', 'ADMIN_SECRET', 'ERASURE_SECRET']);
  });

  it('exits non-zero for a development default set explicitly, and for two scopes sharing a value', async () => {
    expectRefused(await run('main.js', { COLLECTOR_HOST: '0.0.0.0', ...STRONG, RELAY_HMAC_SECRET: 'local-dev-relay-secret' }), ['RELAY_HMAC_SECRET'], ['READ_API_SECRET']);
    expectRefused(await run('main.js', { COLLECTOR_HOST: '0.0.0.0', ...STRONG, ADMIN_SECRET: STRONG.READ_API_SECRET }), ['READ_API_SECRET and ADMIN_SECRET']);
  });

  it('exits non-zero for the edge admin secret when EDGE_URL is set', async () => {
    const exit = await run('main.js', { COLLECTOR_HOST: '0.0.0.0', ...STRONG, EDGE_URL: 'https://edge.example.com', EDGE_ADMIN_SECRET: 'short' });
    expectRefused(exit, ['EDGE_ADMIN_SECRET'], ['RELAY_HMAC_SECRET']);
  });
});

describe('the pipeline (dist/pipeline/main.js) with its probes off loopback', () => {
  it('exits non-zero naming ERASURE_SECRET when it is missing', async () => {
    expectRefused(await run(path.join('pipeline', 'main.js'), { PIPELINE_HOST: '0.0.0.0' }), ['ERASURE_SECRET']);
  });

  it('exits non-zero naming ERASURE_SECRET when it is short', async () => {
    expectRefused(await run(path.join('pipeline', 'main.js'), { PIPELINE_HOST: '0.0.0.0', ERASURE_SECRET: 'x'.repeat(31) }), ['ERASURE_SECRET']);
  });
});

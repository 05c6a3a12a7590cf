/**
 * The kafkajs fast paths (kafka/kafkajs-fast-paths.ts) only take effect when
 * they are installed before kafkajs loads. An entry whose imports were
 * reordered would run several times slower per record without a word, so the
 * built entries refuse to start instead. Simulated here by preloading kafkajs
 * (`node --require kafkajs`), as a reordered import would load it.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');
// Nowhere: an entry that got past the check would fail on these instead, with another message.
const NOWHERE = { KAFKA_BROKERS: '127.0.0.1:9', REDIS_URL: 'redis://127.0.0.1:9', SESSIONFLOW_DEV: '1' };
const REFUSAL = 'the kafkajs fast paths are not in place';

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs node with `args` until it exits; stopped by its pid if it outlives the test. */
async function node(args: string[]): Promise<Exit> {
  const child = spawn(process.execPath, args, { cwd: path.dirname(dist), env: { PATH: process.env['PATH'] ?? '', ...NOWHERE }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (exitCode) => resolve(exitCode));
    });
    return { code, stdout, stderr };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

const installer = pathToFileURL(path.join(dist, 'kafka', 'install-fast-paths.js')).href;
const report = `import(${JSON.stringify(installer)}).then((m) => process.stdout.write(JSON.stringify(m.installedFastPaths)))`;

describe('the kafkajs fast paths', () => {
  it('are installed when nothing loaded kafkajs before them', async () => {
    const exit = await node(['--input-type=module', '-e', report]);
    expect(exit.stderr).toBe('');
    expect(JSON.parse(exit.stdout)).toEqual({ request: true, grouping: true });
  });

  it('refuse, naming the cause, when kafkajs loaded first', async () => {
    const exit = await node(['--require', 'kafkajs', '--input-type=module', '-e', report]);
    expect(exit.code).not.toBe(0);
    expect(exit.stdout).toBe('');
    expect(exit.stderr).toContain(REFUSAL);
    expect(exit.stderr).toContain('first import');
  });

  it('stop the pipeline from starting when kafkajs loaded first, before it connects to anything', async () => {
    const exit = await node(['--require', 'kafkajs', path.join(dist, 'pipeline', 'main.js')]);
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(exit.stderr).toContain(REFUSAL);
    expect(exit.stderr).not.toContain('127.0.0.1:9');
  });
});

/**
 * What crash tests stand on: a part of the stack killed with SIGKILL by its
 * own handle and started again on the same port with the same data, and a
 * part frozen and let go.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { redisPing } from '../src/redis/server.js';
import { startStack, type Stack } from '../src/stack.js';

const run = promisify(execFile);
let stack: Stack;
let dir: string;

const cli = async (...args: string[]): Promise<string> => {
  const { port } = new URL(stack.redisUrl!);
  return (await run('redis-cli', ['-p', port, ...args])).stdout.trim();
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sf-stack-crash-'));
  stack = await startStack({ dir, parts: ['redis'], redisAppendOnly: true });
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('Redis with its AOF on keeps what it had written a second before SIGKILL, on the same port after restart', async () => {
  const url = stack.redisUrl!;
  expect(await cli('SET', 'crash-test', 'kept')).toBe('OK');
  // appendfsync everysec: the write is on disk within about a second.
  await new Promise((r) => setTimeout(r, 1_500));
  await stack.killPart('redis');
  expect(await redisPing(url)).toBe(false);
  await expect(stack.restartPart('redis')).resolves.toBeUndefined();
  expect(stack.redisUrl).toBe(url);
  expect(await cli('GET', 'crash-test')).toBe('kept');
});

test('a paused part does not answer until it is resumed', async () => {
  stack.pausePart('redis');
  try {
    expect(await redisPing(stack.redisUrl!, 500)).toBe(false);
  } finally {
    stack.resumePart('redis');
  }
  expect(await redisPing(stack.redisUrl!)).toBe(true);
});

test('a running part is not restarted over itself, and a part the stack does not run is named', async () => {
  await expect(stack.restartPart('redis')).rejects.toThrow(/still running/);
  await expect(stack.killPart('collector')).rejects.toThrow(/collector is not part of this stack/);
});

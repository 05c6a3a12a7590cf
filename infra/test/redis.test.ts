import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { freePort } from '../src/process/ports.js';
import { redisPing, startRedis } from '../src/redis/server.js';

test('redis-server starts on a loopback port, answers PING, and is gone after stop', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sf-redis-'));
  const port = await freePort();
  const redis = await startRedis({ dir, port });
  try {
    expect(redis.url).toBe(`redis://127.0.0.1:${port}`);
    expect(await redisPing(redis.url)).toBe(true);
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  expect(await redisPing(redis.url)).toBe(false);
});

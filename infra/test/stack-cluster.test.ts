import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { expect, test } from 'vitest';
import { redisPing } from '../src/redis/server.js';
import { startStack } from '../src/stack.js';

test('with cluster, the stack runs a 3-node Kafka and a Redis Cluster of 3 masters with a replica each, and stops them all', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sf-stack-cluster-'));
  const stack = await startStack({ dir, cluster: true, parts: ['kafka', 'redis'] });
  try {
    expect(stack.kafkaCluster?.nodes).toHaveLength(3);
    expect(stack.kafkaBrokers).toEqual(stack.kafkaCluster!.brokers);
    expect(stack.kafkaBrokers).toHaveLength(3);
    const admin = new Kafka({ clientId: 'stack-cluster-test', brokers: stack.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      expect((await admin.describeCluster()).brokers).toHaveLength(3);
    } finally {
      await admin.disconnect();
    }

    const redis = stack.redisCluster!;
    expect(redis.nodes).toHaveLength(6);
    expect(stack.redisUrl).toBe(redis.url);
    expect(stack.redisUrl!.split(',')).toEqual(redis.nodes.map((n) => n.url));
    const roles = await Promise.all(redis.nodes.map((n) => n.role()));
    expect(roles.filter((r) => r === 'master')).toHaveLength(3);
    expect(stack.logs.redis).toBe(path.join(dir, 'redis-cluster', 'node-*', 'redis.log'));
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  expect(stack.kafkaCluster!.nodes.every((n) => !n.running())).toBe(true);
  expect(stack.redisCluster!.nodes.every((n) => !n.running())).toBe(true);
  expect(await Promise.all(stack.redisCluster!.nodes.map((n) => redisPing(n.url)))).toEqual([false, false, false, false, false, false]);
}, 240_000);

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, createCluster } from 'redis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startRedisCluster, type RedisCluster, type RedisNode } from '../src/redis/cluster.js';
import { redisPing } from '../src/redis/server.js';

let dir: string;
let cluster: RedisCluster;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sf-redis-cluster-'));
  cluster = await startRedisCluster({ dir });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** A command to one node, on a connection of its own. */
async function on<T>(node: RedisNode, command: string[]): Promise<T> {
  const client = createClient({ url: node.url, socket: { reconnectStrategy: false } });
  try {
    await client.connect();
    return (await client.sendCommand(command)) as T;
  } finally {
    client.destroy();
  }
}

/** A cluster client rooted at the nodes that run now. */
async function clusterClient() {
  const client = createCluster({ rootNodes: cluster.nodes.filter((n) => n.running()).map((n) => ({ url: n.url })) });
  client.on('error', () => {});
  await client.connect();
  return client;
}

const keys = Array.from({ length: 300 }, (_, i) => `sf-test:${i}`);

test('3 masters and 3 replicas on loopback; keys of many slots survive a master killed, its replica promoted; the killed node rejoins as a replica', async () => {
  expect(cluster.nodes).toHaveLength(6);
  expect(new Set(cluster.nodes.map((n) => n.port)).size).toBe(6);
  expect(cluster.url).toBe(cluster.nodes.map((n) => `redis://127.0.0.1:${n.port}`).join(','));
  const roles = await Promise.all(cluster.nodes.map((n) => n.role()));
  expect(roles.filter((r) => r === 'master')).toHaveLength(3);
  expect(roles.filter((r) => r === 'replica')).toHaveLength(3);

  const writer = await clusterClient();
  try {
    for (const key of keys) await writer.set(key, `value of ${key}`);
  } finally {
    writer.destroy();
  }
  const masters = cluster.nodes.filter((_, i) => roles[i] === 'master');
  // Every master got some of the keys: they span the slots of all three.
  for (const master of masters) expect(await on<number>(master, ['DBSIZE'])).toBeGreaterThan(0);
  // The replicas have them before the kill (replication is asynchronous).
  for (const master of masters) expect(await on<number>(master, ['WAIT', '1', '5000'])).toBe(1);

  const victim = masters[0]!;
  const victimKeys = await on<number>(victim, ['DBSIZE']);
  const replicaOf = async (node: RedisNode): Promise<number | undefined> => {
    const role = await on<unknown[]>(node, ['ROLE']);
    return role[0] === 'slave' ? Number(role[2]) : undefined;
  };
  const replicas = cluster.nodes.filter((_, i) => roles[i] === 'replica');
  const heir = (await Promise.all(replicas.map(async (r) => ((await replicaOf(r)) === victim.port ? r : undefined)))).find(Boolean)!;
  expect(heir).toBeDefined();

  await victim.kill();
  expect(victim.running()).toBe(false);
  expect(await redisPing(victim.url)).toBe(false);
  await cluster.waitHealthy(30_000);
  expect(await heir.role()).toBe('master');
  expect(await on<number>(heir, ['DBSIZE'])).toBe(victimKeys);

  const reader = await clusterClient();
  try {
    expect(await Promise.all(keys.map((k) => reader.get(k)))).toEqual(keys.map((k) => `value of ${k}`));
  } finally {
    reader.destroy();
  }

  await victim.restart();
  expect(victim.running()).toBe(true);
  await cluster.waitHealthy(30_000);
  expect(await victim.role()).toBe('replica');
  expect(await replicaOf(victim)).toBe(heir.port);
  // Its append-only file and the resync gave it the shard's keys back.
  expect(await on<number>(victim, ['DBSIZE'])).toBe(victimKeys);
}, 120_000);

test('stop ends every node', async () => {
  await cluster.stop();
  expect(cluster.nodes.every((n) => !n.running())).toBe(true);
  expect(await Promise.all(cluster.nodes.map((n) => redisPing(n.url)))).toEqual(cluster.nodes.map(() => false));
}, 60_000);

/**
 * The store client (src/store/client.ts) on a real local Redis Cluster (3
 * masters, a replica each: infra's startRedisCluster) and on one redis-server:
 * what the interface promises on both, what only a cluster refuses, and a
 * master killed under a connected client.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, startRedis, startRedisCluster, type RedisCluster, type RedisNode, type RedisServer } from '@sessionflow/infra';
import calculateSlot from 'cluster-key-slot';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createStoreClient, storeAnswers, type StoreClient, type StoreScript } from '../../src/store/client.js';

let dir: string;
let cluster: RedisCluster;
let single: RedisServer;
const clients: StoreClient[] = [];
const logLines: string[] = [];
const logger = createLogger('info', (line) => logLines.push(line));

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sf-store-cluster-'));
  [cluster, single] = await Promise.all([
    startRedisCluster({ dir: path.join(dir, 'cluster') }),
    startRedis({ dir: path.join(dir, 'single'), port: await freePort() }),
  ]);
}, 120_000);

afterAll(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all([cluster?.stop(), single?.stop()]);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function connected(url: string): Promise<StoreClient> {
  const client = createStoreClient(url, logger, { commandTimeoutMs: 2_000 });
  clients.push(client);
  await client.connect();
  return client;
}

function script(text: string): StoreScript {
  return { text, sha: createHash('sha1').update(text).digest('hex') };
}

const setScript = script("return redis.call('SET', KEYS[1], ARGV[1])");

async function setAll(store: StoreClient, entries: [string, string][]): Promise<void> {
  for (const [key, value] of entries) await store.runScript(setScript, [key], [value]);
}

/** A command to one node, on a connection of its own. */
async function on<T>(url: string, command: string[]): Promise<T> {
  const client = createClient({ url, socket: { reconnectStrategy: false } });
  try {
    await client.connect();
    return (await client.sendCommand(command)) as T;
  } finally {
    client.destroy();
  }
}

async function masters(): Promise<RedisNode[]> {
  const running = cluster.nodes.filter((n) => n.running());
  const roles = await Promise.all(running.map((n) => n.role()));
  return running.filter((_, i) => roles[i] === 'master');
}

/** How many times `node` ran EVAL (INFO commandstats). */
async function evalCalls(url: string): Promise<number> {
  const stats = await on<string>(url, ['INFO', 'commandstats']);
  return Number(/^cmdstat_eval:calls=(\d+)/m.exec(stats)?.[1] ?? 0);
}

/** Keys of many slots, so a cluster spreads them over every master. */
function keysOf(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}:${i}`);
}

// The parts every store client promises, on both deployments.
describe.each([
  { deployment: 'single', url: () => single.url, kind: 'single' },
  { deployment: 'cluster (REDIS_URL lists every node)', url: () => cluster.url, kind: 'cluster' },
  { deployment: 'cluster (REDIS_URL names one node)', url: () => cluster.nodes[0]!.url, kind: 'cluster' },
] as const)('$deployment', ({ url, kind }) => {
  let store: StoreClient;
  let prefix: string;
  beforeAll(async () => {
    store = await connected(url());
    prefix = `t-${randomUUID().slice(0, 8)}`;
  });

  test(`is a ${kind} client, answers PING, and a duplicate has a connection of its own`, async () => {
    expect(store.kind).toBe(kind);
    expect(store.isReady).toBe(true);
    expect(await storeAnswers(store)).toBe(true);
    const copy = store.duplicate();
    clients.push(copy);
    await copy.connect();
    expect(copy.kind).toBe(kind);
    await setAll(store, [[`${prefix}:dup`, 'seen']]);
    expect(await copy.get(`${prefix}:dup`)).toBe('seen');
    await copy.close();
    expect(store.isReady).toBe(true);
  });

  test('mGet and del of keys of many slots answer in the order asked', async () => {
    const keys = keysOf(`${prefix}:m`, 40);
    expect(new Set(keys.map((k) => calculateSlot(k))).size).toBeGreaterThan(30);
    await setAll(store, keys.map((k) => [k, `v(${k})`]));
    const asked = [keys[7]!, `${prefix}:missing`, ...keys.slice(20).reverse(), keys[0]!, keys[7]!];
    expect(await store.mGet(asked)).toEqual(asked.map((k) => (k.endsWith(':missing') ? null : `v(${k})`)));
    expect(await store.mGet([])).toEqual([]);

    const gone = [...keys.slice(0, 10), `${prefix}:missing`];
    expect(await store.del(gone)).toBe(10);
    expect(await store.mGet(keys.slice(0, 12))).toEqual([...Array<null>(10).fill(null), `v(${keys[10]})`, `v(${keys[11]})`]);
    expect(await store.del([])).toBe(0);
  });

  test('scan pages through every key that matches, on every master', async () => {
    const keys = keysOf(`${prefix}:scan`, 60);
    await setAll(store, keys.map((k) => [k, '1']));
    await setAll(store, [[`${prefix}:other`, '1']]);
    const seen: string[] = [];
    let pages = 0;
    for await (const page of store.scan(`${prefix}:scan:*`, 10)) {
      seen.push(...page);
      pages += 1;
    }
    expect([...new Set(seen)].sort()).toEqual([...keys].sort());
    expect(pages).toBeGreaterThan(1);
  });

  test('a script runs with its declared keys of one slot, and is loaded on a node that never saw it (NOSCRIPT → EVAL, then EVALSHA)', async () => {
    // A text of its own: no node has it cached.
    const counter = script(`-- ${randomUUID()}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1]) + redis.call('INCRBY', KEYS[2], ARGV[1])`);
    const keys = [`${prefix}:{owner}:a`, `${prefix}:{owner}:b`];
    const nodeUrl = kind === 'single' ? single.url : (await slotOwners())(keys[0]!);
    expect(await on<number>(nodeUrl, ['SCRIPT', 'EXISTS', counter.sha])).toEqual([0]);
    const evalsBefore = await evalCalls(nodeUrl);

    expect(await store.runScript(counter, keys, ['5'])).toBe(10);
    expect(await on<number[]>(nodeUrl, ['SCRIPT', 'EXISTS', counter.sha])).toEqual([1]);
    expect(await evalCalls(nodeUrl)).toBe(evalsBefore + 1);
    expect(await store.runScript(counter, keys, ['1'])).toBe(12);
    // The second run went by EVALSHA.
    expect(await evalCalls(nodeUrl)).toBe(evalsBefore + 1);
    expect(await store.mGet(keys)).toEqual(['6', '6']);
  });

  test('a script without keys is refused before anything is sent', async () => {
    await expect(store.runScript(script('return 1'), [], [])).rejects.toThrow('a script must declare the keys it touches');
  });

  test('pfCount counts the union of keys of one slot', async () => {
    const add = script("return redis.call('PFADD', KEYS[1], unpack(ARGV))");
    const [a, b] = [`${prefix}:{hll}:a`, `${prefix}:{hll}:b`];
    await store.runScript(add, [a], ['x', 'y']);
    await store.runScript(add, [b], ['y', 'z']);
    expect(await store.pfCount(a)).toBe(2);
    expect(await store.pfCount([a, b])).toBe(3);
  });
});

/** Who serves each slot now, as a running node says (CLUSTER NODES): key → its master's URL. */
async function slotOwners(): Promise<(key: string) => string> {
  const viewer = cluster.nodes.find((n) => n.running())!;
  const lines = (await on<string>(viewer.url, ['CLUSTER', 'NODES'])).split('\n').filter((l) => l.includes('master') && !l.includes('fail'));
  const ranges = lines.flatMap((line) => {
    const [, address = '', , , , , , , ...slots] = line.split(' ');
    const url = `redis://${address.split('@')[0]}`;
    return slots.filter((s) => !s.startsWith('[')).map((r) => {
      const [from = -1, to = from] = r.split('-').map(Number);
      return { from, to, url };
    });
  });
  return (key) => {
    const slot = calculateSlot(key);
    const owner = ranges.find((r) => slot >= r.from && slot <= r.to);
    if (!owner) throw new Error(`no master serves slot ${slot}`);
    return owner.url;
  };
}

describe('only on a cluster', () => {
  let store: StoreClient;
  beforeAll(async () => {
    store = await connected(cluster.url);
  });

  test('keys of many slots are spread over every master, and read back in order', async () => {
    const keys = keysOf(`spread-${randomUUID().slice(0, 8)}`, 30);
    await setAll(store, keys.map((k) => [k, k]));
    const all = await masters();
    expect(all).toHaveLength(3);
    const owners = keys.map(await slotOwners());
    expect(new Set(owners)).toEqual(new Set(all.map((m) => m.url)));
    expect(await store.mGet(keys)).toEqual(keys);
  });

  test('a script whose keys span two slots is refused before it is sent, naming both slots', async () => {
    const [a, b] = ['{user:1}:profile', '{user:2}:profile'];
    const [slotA, slotB] = [calculateSlot(a), calculateSlot(b)];
    expect(slotA).not.toBe(slotB);
    await expect(store.runScript(setScript, [a, b], ['written'])).rejects.toThrow(
      `a script's keys must be of one slot: "${a}" is in slot ${slotA}, "${b}" in slot ${slotB}`,
    );
    expect(await store.mGet([a, b])).toEqual([null, null]);
  });

  test('pfCount of keys of two slots is refused, naming both', async () => {
    await expect(store.pfCount(['{a}hll', '{b}hll'])).rejects.toThrow(
      `pfCount: keys of several slots ("{a}hll" is in slot ${calculateSlot('{a}hll')}, "{b}hll" in slot ${calculateSlot('{b}hll')})`,
    );
  });

  test('started while its nodes are down, a cluster client waits for them (REDIS_URL of several nodes, or of one), and connects once they answer', async () => {
    const running = cluster.nodes.filter((n) => n.running());
    const roles = await Promise.all(running.map((n) => n.role()));
    const [r1, r2] = running.filter((_, i) => roles[i] === 'replica');
    await Promise.all([r1!.kill(), r2!.kill()]);
    const key = `late-${randomUUID().slice(0, 8)}`;
    await setAll(store, [[key, 'here']]);

    const listed = createStoreClient(`${r1!.url},${r2!.url}`, logger);
    const named = createStoreClient(r2!.url, logger);
    clients.push(listed, named);
    const settled = new Set<string>();
    const connecting = [listed.connect().finally(() => settled.add('listed')), named.connect().finally(() => settled.add('named'))];
    // Nothing answers on those ports: neither can have connected, however slow the machine.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(settled.size).toBe(0);

    await r1!.restart();
    await connecting[0];
    expect(listed.kind).toBe('cluster');
    expect(await listed.get(key)).toBe('here');
    expect(settled.has('named')).toBe(false);
    await r2!.restart();
    await connecting[1];
    expect(named.kind).toBe('cluster');
    expect(await named.get(key)).toBe('here');
    await cluster.waitHealthy(30_000);
  }, 60_000);

  test('a client destroyed while it waits for its store says so', async () => {
    const nobody = `redis://127.0.0.1:${await freePort()}`;
    for (const url of [nobody, `${nobody},${nobody}`]) {
      const client = createStoreClient(url, logger);
      const connecting = client.connect();
      await new Promise((r) => setTimeout(r, 300));
      client.destroy();
      await expect(connecting).rejects.toThrow('The client was closed before it connected');
    }
  });

  test('a master killed: commands fail (no hang) until its replica is promoted, then succeed with the data and the scripts', async () => {
    const keys = keysOf(`failover-${randomUUID().slice(0, 8)}`, 60);
    await setAll(store, keys.map((k) => [k, `v(${k})`]));
    const before = await masters();
    // Replication is asynchronous: the replicas have every key before the kill.
    for (const master of before) expect(await on<number>(master.url, ['WAIT', '1', '5000'])).toBe(1);

    const victim = before.find((m) => m.url === cluster.nodes[0]!.url) ?? before[0]!;
    const ownerOf = await slotOwners();
    const victimsKey = keys.find((k) => ownerOf(k) === victim.url)!;
    expect(victimsKey).toBeDefined();
    const survivorsKey = keys.find((k) => ownerOf(k) !== victim.url)!;
    const survivorAnswers = new Set<string>();
    const logged = logLines.length;
    const killedAt = Date.now();
    await victim.kill();

    const failures: string[] = [];
    let slowestFailureMs = 0;
    let values: (string | null)[] | undefined;
    while (values === undefined) {
      const sentAt = Date.now();
      try {
        values = await store.mGet(keys);
      } catch (error) {
        slowestFailureMs = Math.max(slowestFailureMs, Date.now() - sentAt);
        failures.push((error as Error).message);
        // What a master that did not fail answers meanwhile (for the log line: it depends on the cluster's timing).
        survivorAnswers.add(await store.get(survivorsKey).then((v) => `value ${v === null ? 'null' : 'read'}`, (e: Error) => e.message.split(' ')[0]!));
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const recoveredMs = Date.now() - killedAt;
    console.log(`master killed: ${failures.length} failed reads (slowest ${slowestFailureMs} ms), first full read ${recoveredMs} ms after the kill; errors seen: ${[...new Set(failures)].join(' | ')}; meanwhile another master's key: ${[...survivorAnswers].join(', ')}`);

    expect(failures.length).toBeGreaterThan(0);
    expect(values).toEqual(keys.map((k) => `v(${k})`));
    // The promoted replica never loaded the script: runScript loads it there.
    const bump = script(`-- ${randomUUID()}\nreturn redis.call('APPEND', KEYS[1], ARGV[1])`);
    expect(await store.runScript(bump, [victimsKey], ['!'])).toBe(`v(${victimsKey})!`.length);
    expect(await storeAnswers(store)).toBe(true);
    expect(logLines.slice(logged).some((l) => l.includes('Redis Cluster node connection failed') && l.includes(String(victim.port)))).toBe(true);

    await victim.restart();
    await cluster.waitHealthy(30_000);
    expect(await victim.role()).toBe('replica');
    expect(await store.get(victimsKey)).toBe(`v(${victimsKey})!`);
  }, 90_000);
});

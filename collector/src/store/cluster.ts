/**
 * The store client over a Redis Cluster (client.ts): node-redis' cluster
 * client, said in the interface's terms, plus what a cluster needs that a
 * single Redis does not: reads and deletes of keys of many slots split by slot
 * and put back in order (node-redis 6 does it, see mGet), scripts refused
 * before sending when their keys span slots, and a scan of every master.
 *
 * On a failover, what node-redis 6.3.1 does and what was measured
 * (test/integration/store-cluster.test.ts: a local cluster with
 * cluster-node-timeout 2000, a master SIGKILLed under a connected client):
 * - a command for a slot whose master is down fails at once with "The client
 *   is offline" ("Socket closed unexpectedly" for one in flight at the kill): no
 *   offline queue; the slowest such failure measured was 43 to 82 ms on a
 *   loaded 2-core machine, so nothing hangs and nothing waits in a queue;
 * - the node's client keeps reconnecting; once it has tried for
 *   TOPOLOGY_REFRESH_MS, node-redis asks the other nodes for the slots again
 *   (and again while it still cannot reach the node), finds the promoted
 *   replica and sends the slot's commands there; the client of the dead node
 *   is dropped. A MOVED or ASK reply (slots moved by hand, resharding) makes it
 *   ask at once and follow the redirection (up to 16 times per command);
 * - commands for the other masters' slots answer CLUSTERDOWN while the cluster
 *   itself has not decided the failover (cluster-require-full-coverage, Redis'
 *   default; seen in the test, after reads that still succeeded).
 * Kill to the first read of every key: 5.1 to 5.2 s in three runs, mostly Redis' own failure
 * detection (node timeout, then the replicas' election), then up to a second
 * for the client's refresh.
 */
import calculateSlot from 'cluster-key-slot';
import { createCluster, RootNodesUnavailableError, type RedisClusterType } from 'redis';
import type { Logger } from '../log.js';
import { isNoScript, redacted, type StoreClient, type StoreClientOptions, type StoreScript } from './client.js';
import { hashTagOf } from './owner.js';

/** How long a node's client tries to reconnect before node-redis asks the cluster for its slots again (its default is 5000). */
const TOPOLOGY_REFRESH_MS = 1_000;

export function createClusterStore(rootUrls: string[], logger: Logger, options: StoreClientOptions): StoreClient {
  if (rootUrls.length === 0) throw new Error('createClusterStore: at least one root URL is needed');
  const cluster = createCluster({
    rootNodes: rootUrls.map((url) => ({ url })),
    defaults: {
      ...nodeCredentials(rootUrls[0]!),
      disableOfflineQueue: true,
      socket: {
        connectTimeout: options.connectTimeoutMs ?? 1_000,
        reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000),
        ...(rootUrls[0]!.startsWith('rediss:') ? { tls: true as const } : {}),
      },
    },
    commandOptions: { timeout: options.commandTimeoutMs ?? 2_000 },
    topologyRefreshOnReconnectionAttemptStrategy: TOPOLOGY_REFRESH_MS,
  });
  watchCluster(cluster, rootUrls, logger);
  let closed = false;
  return {
    kind: 'cluster',
    get isReady() {
      return cluster.isReady;
    },
    get isOpen() {
      return cluster.isOpen;
    },
    connect: async () => {
      closed = false;
      // node-redis' cluster gives up at once when no root node answers; its single client retries without end.
      // Retried here as the single one does, so a pipeline started before its Redis waits for it (until destroyed).
      for (let attempt = 0; ; attempt++) {
        try {
          await cluster.connect();
          return;
        } catch (error) {
          if (closed) throw new Error('The client was closed before it connected', { cause: error });
          if (!(error instanceof RootNodesUnavailableError)) throw error;
          await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 2_000)));
          if (closed) throw new Error('The client was closed before it connected');
        }
      }
    },
    close: async () => {
      closed = true;
      if (cluster.isOpen) await cluster.close();
    },
    destroy: () => {
      closed = true;
      cluster.destroy();
    },
    duplicate: () => createClusterStore(rootUrls, logger, options),
    ping: async () => {
      // The store answers when every shard does: a read of a user on a shard that is down would fail.
      const masters = [...cluster.masters];
      if (masters.length === 0) throw new Error('the cluster client knows no master');
      await Promise.all(masters.map(async (master) => (await cluster.nodeClient(master)).ping()));
      return 'PONG';
    },
    get: (key) => cluster.get(key),
    // node-redis 6 splits MGET and DEL by slot itself (their multi_shard request policy, with its own slot
    // function): one command per slot, sent side by side, the values put back in the order asked (DEL's counts
    // summed); a command of one slot goes as it is. Grouping here first made it compute every key's slot twice.
    mGet: (keys) => (keys.length === 0 ? Promise.resolve([]) : cluster.mGet([...keys])),
    hGet: (key, field) => cluster.hGet(key, field),
    hmGet: (key, fields) => (fields.length === 0 ? Promise.resolve([]) : cluster.hmGet(key, [...fields])),
    hGetAll: (key) => cluster.hGetAll(key),
    hScan: async (key, cursor, count) => {
      const reply = await cluster.hScan(key, cursor, { COUNT: count });
      return { cursor: String(reply.cursor), entries: reply.entries.map((e) => ({ field: String(e.field), value: String(e.value) })) };
    },
    lRange: (key, start, stop) => cluster.lRange(key, start, stop),
    sMembers: (key) => cluster.sMembers(key),
    zRange: (key, start, stop, range) => cluster.zRange(key, start, stop, range),
    zRangeWithScores: (key, start, stop, range) => cluster.zRangeWithScores(key, start, stop, range),
    pfCount: (keys) => {
      const all = typeof keys === 'string' ? [keys] : [...keys];
      const [first = '', ...rest] = all;
      const other = rest.find((k) => calculateSlot(k) !== calculateSlot(first));
      if (other !== undefined) {
        return Promise.reject(new Error(`pfCount: keys of several slots ("${first}" is in slot ${calculateSlot(first)}, "${other}" in slot ${calculateSlot(other)}); on a cluster they must share a hash tag`));
      }
      return cluster.pfCount(all);
    },
    type: (key) => cluster.type(key),
    getRange: async (key, start, end) => (await cluster.getRange(key, start, end)) ?? '',
    del: (keys) => (keys.length === 0 ? Promise.resolve(0) : cluster.del([...keys])),
    scan: (match, count) => scanMasters(cluster, match, count),
    runScript: (script, keys, args) => runScript(cluster, script, keys, args),
  };
}

type RawCluster = RedisClusterType;

/**
 * The user and password of the first root URL, for every node: node-redis
 * uses a root node's URL only to ask for the slots, and connects to the nodes
 * it finds with `defaults`.
 */
export function nodeCredentials(url: string): { username?: string; password?: string } {
  const parsed = new URL(url);
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
  };
}

/** The one slot of a script's keys; throws before anything is sent when there is none or several. */
export function scriptSlot(keys: readonly string[]): number {
  const [first] = keys;
  if (first === undefined) throw new Error('a script must declare the keys it touches');
  const slot = calculateSlot(first);
  // Keys of one hash tag are of one slot by Redis' rule: a batch's thousands of keys share their partition's
  // tag, and comparing tags spares a CRC16 (and cluster-key-slot's copy of the key into an array) per key.
  const tag = hashTagOf(first);
  const other = keys.find((k) => hashTagOf(k) !== tag && calculateSlot(k) !== slot);
  if (other !== undefined) {
    throw new Error(`a script's keys must be of one slot: "${first}" is in slot ${slot}, "${other}" in slot ${calculateSlot(other)} (give them one hash tag, e.g. {topic:partition})`);
  }
  return slot;
}

async function runScript(cluster: RawCluster, script: StoreScript, keys: readonly string[], args: readonly string[]): Promise<unknown> {
  // A script without keys would run on whichever node the client picks, outside any partition's slot.
  if (keys.length === 0) throw new Error('a script must declare the keys it touches');
  scriptSlot(keys);
  const first = keys[0]!;
  const tail = [String(keys.length), ...keys, ...args];
  try {
    return await cluster.sendCommand(first, false, ['EVALSHA', script.sha, ...tail]);
  } catch (error) {
    // Each master has its own script cache: the first call on a node (or on a replica just promoted) loads it.
    if (!isNoScript(error)) throw error;
    return cluster.sendCommand(first, false, ['EVAL', script.text, ...tail]);
  }
}

/** Every master's keys, one master after the other; the masters are those known when the scan starts. */
async function* scanMasters(cluster: RawCluster, match: string, count: number): AsyncGenerator<string[]> {
  for (const master of [...cluster.masters]) {
    const client = await cluster.nodeClient(master);
    for await (const keys of client.scanIterator({ MATCH: match, COUNT: count })) yield keys.map(String);
  }
}

/** Logs a node lost once, and its return; and a failed look-up of the slots once until a node is back. */
function watchCluster(cluster: RawCluster, rootUrls: string[], logger: Logger): void {
  const down = new Set<string>();
  let refreshFailing = false;
  cluster.on('node-error', (error: unknown, node: { host: string; port: number }) => {
    const address = `${node.host}:${node.port}`;
    if (down.has(address)) return;
    down.add(address);
    logger.warn('Redis Cluster node connection failed; reconnecting', { node: address, error });
  });
  cluster.on('node-ready', (node: { host: string; port: number }) => {
    const address = `${node.host}:${node.port}`;
    if (down.delete(address)) logger.info('Redis Cluster node connection is back', { node: address });
    refreshFailing = false;
  });
  cluster.on('error', (error: unknown) => {
    if (refreshFailing) return;
    refreshFailing = true;
    logger.warn('Redis Cluster: asking a node for the slots failed', { rootNodes: rootUrls.map(redacted), error });
  });
}

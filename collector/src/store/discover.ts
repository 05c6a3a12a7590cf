/**
 * The store client for one URL that may name a single Redis or a node of a
 * Redis Cluster: on `connect()` it asks the server (`INFO cluster`) and then
 * becomes the single adapter or the cluster adapter rooted at that node. Until
 * connected it is a closed client of kind `single` (what node-redis' own
 * client does before `connect()`: commands fail).
 *
 * While the server does not answer, it asks again with the backoff the
 * clients reconnect with (a pipeline started before its Redis waits for it, as
 * with node-redis' own `connect()`), until `destroy()` or `close()`.
 */
import { createClient } from 'redis';
import type { Logger } from '../log.js';
import { redacted, type StoreClient, type StoreClientOptions } from './client.js';
import { createClusterStore } from './cluster.js';
import { createSingleStore } from './single.js';

export function createDiscoveringStore(url: string, logger: Logger, options: StoreClientOptions): StoreClient {
  let inner: StoreClient | undefined;
  let opening = false;
  let closed = false;
  const connected = (): StoreClient => {
    if (!inner) throw new Error('The client is closed');
    return inner;
  };
  return {
    get kind() {
      return inner?.kind ?? 'single';
    },
    get isReady() {
      return inner?.isReady ?? false;
    },
    get isOpen() {
      return inner?.isOpen ?? opening;
    },
    connect: async () => {
      // Decided once: a later connect (after a failed one, or after close) is the adapter's.
      if (inner) return inner.connect();
      if (opening) throw new Error('Socket already opened');
      opening = true;
      closed = false;
      try {
        const isCluster = await clusterEnabled(url, options, logger, () => closed);
        if (closed) throw new Error('The client was closed before it connected');
        inner = isCluster ? createClusterStore([url], logger, options) : createSingleStore(url, logger, options);
        if (isCluster) logger.info('REDIS_URL names a Redis Cluster node (cluster_enabled:1); using the cluster client', { url: redacted(url) });
        await inner.connect();
      } finally {
        opening = false;
      }
    },
    close: async () => {
      closed = true;
      await inner?.close();
    },
    destroy: () => {
      closed = true;
      inner?.destroy();
    },
    duplicate: () => (inner ? inner.duplicate() : createDiscoveringStore(url, logger, options)),
    ping: () => connected().ping(),
    get: (key) => connected().get(key),
    mGet: (keys) => connected().mGet(keys),
    hGet: (key, field) => connected().hGet(key, field),
    hmGet: (key, fields) => connected().hmGet(key, fields),
    hGetAll: (key) => connected().hGetAll(key),
    hScan: (key, cursor, count) => connected().hScan(key, cursor, count),
    lRange: (key, start, stop) => connected().lRange(key, start, stop),
    sMembers: (key) => connected().sMembers(key),
    zRange: (key, start, stop, range) => connected().zRange(key, start, stop, range),
    zRangeWithScores: (key, start, stop, range) => connected().zRangeWithScores(key, start, stop, range),
    pfCount: (keys) => connected().pfCount(keys),
    type: (key) => connected().type(key),
    getRange: (key, start, end) => connected().getRange(key, start, end),
    del: (keys) => connected().del(keys),
    scan: (match, count) => connected().scan(match, count),
    runScript: (script, keys, args) => connected().runScript(script, keys, args),
  };
}

/**
 * Whether the server at `url` runs in cluster mode. A server that answers
 * INFO with an error (a proxy or a managed Redis that hides it) is taken for a
 * single Redis, with a warning: list the nodes in REDIS_URL to name a cluster.
 */
async function clusterEnabled(url: string, options: StoreClientOptions, logger: Logger, closed: () => boolean): Promise<boolean> {
  let warned = false;
  for (let attempt = 0; ; attempt++) {
    if (closed()) return false;
    const probe = createClient({ url, socket: { connectTimeout: options.connectTimeoutMs ?? 1_000, reconnectStrategy: false } });
    probe.on('error', () => {
      // Reported below.
    });
    try {
      try {
        await probe.connect();
      } catch (error) {
        if (closed()) return false;
        if (!warned) logger.warn('Redis connection failed; reconnecting', { url: redacted(url), error });
        warned = true;
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 2_000)));
        continue;
      }
      try {
        return /^cluster_enabled:1\s*$/m.test(String(await probe.sendCommand(['INFO', 'cluster'])));
      } catch (error) {
        logger.warn('Redis did not answer INFO cluster; using it as a single Redis (list the nodes of a cluster in REDIS_URL, separated by commas)', { url: redacted(url), error });
        return false;
      }
    } finally {
      probe.destroy();
    }
  }
}

/** The store client over one Redis (client.ts): node-redis' client, said in the interface's terms. */
import { createClient, type RedisClientType } from 'redis';
import type { Logger } from '../log.js';
import { isNoScript, watchConnection, type StoreClient, type StoreClientOptions, type StoreScript } from './client.js';

export function createSingleStore(url: string, logger: Logger, options: StoreClientOptions): StoreClient {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: options.commandTimeoutMs ?? 2_000 },
    socket: {
      connectTimeout: options.connectTimeoutMs ?? 1_000,
      reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2_000),
    },
  });
  watchConnection(client, url, logger);
  return {
    kind: 'single',
    get isReady() {
      return client.isReady;
    },
    get isOpen() {
      return client.isOpen;
    },
    connect: async () => {
      await client.connect();
    },
    close: () => client.close(),
    destroy: () => client.destroy(),
    duplicate: () => createSingleStore(url, logger, options),
    ping: () => client.ping(),
    get: (key) => client.get(key),
    mGet: (keys) => (keys.length === 0 ? Promise.resolve([]) : client.mGet([...keys])),
    hGet: (key, field) => client.hGet(key, field),
    hmGet: (key, fields) => (fields.length === 0 ? Promise.resolve([]) : client.hmGet(key, [...fields])),
    hGetAll: (key) => client.hGetAll(key),
    hScan: async (key, cursor, count) => {
      const reply = await client.hScan(key, cursor, { COUNT: count });
      return { cursor: String(reply.cursor), entries: reply.entries.map((e) => ({ field: String(e.field), value: String(e.value) })) };
    },
    lRange: (key, start, stop) => client.lRange(key, start, stop),
    sMembers: (key) => client.sMembers(key),
    zRange: (key, start, stop, range) => client.zRange(key, start, stop, range),
    zRangeWithScores: (key, start, stop, range) => client.zRangeWithScores(key, start, stop, range),
    pfCount: (keys) => client.pfCount(typeof keys === 'string' ? keys : [...keys]),
    type: (key) => client.type(key),
    getRange: async (key, start, end) => (await client.getRange(key, start, end)) ?? '',
    del: (keys) => (keys.length === 0 ? Promise.resolve(0) : client.del([...keys])),
    scan: (match, count) => client.scanIterator({ MATCH: match, COUNT: count }),
    runScript: (script, keys, args) => runScript(client, script, keys, args),
  };
}

type RawClient = RedisClientType;

async function runScript(client: RawClient, script: StoreScript, keys: readonly string[], args: readonly string[]): Promise<unknown> {
  if (keys.length === 0) throw new Error('a script must declare the keys it touches');
  const tail = [String(keys.length), ...keys, ...args];
  try {
    return await client.sendCommand(['EVALSHA', script.sha, ...tail]);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return client.sendCommand(['EVAL', script.text, ...tail]);
  }
}

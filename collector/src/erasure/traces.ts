/**
 * What a Redis still holds of a person: every key under the deployment's
 * prefix whose name, or whose content (string, hash fields and values, set,
 * sorted set and list members), contains one of `needles` (a user id, its
 * anonymous ids, its session ids). Read by SCAN, so it does not depend on
 * knowing which keys the stages write: what checks that an erasure left
 * nothing behind, in the tests and for an operator. HyperLogLogs (the
 * rollups' distinct visitors) hold hashed registers, no text, and are skipped.
 */
import type { StoreClient } from '../store/client.js';

export interface Trace {
  key: string;
  /** `name` when the key's name holds the needle, else the type whose content does. */
  where: string;
  needle: string;
}

export async function personTraces(redis: StoreClient, prefix: string, needles: readonly string[]): Promise<Trace[]> {
  const traces: Trace[] = [];
  for await (const batch of redis.scan(`${prefix}:*`, 500)) {
    for (const key of batch) {
      const named = needles.find((n) => key.includes(n));
      if (named !== undefined) {
        traces.push({ key, where: 'name', needle: named });
        continue;
      }
      const type = await redis.type(key);
      if (type === 'string' && (await redis.getRange(key, 0, 3)) === 'HYLL') continue;
      const content = await contentOf(redis, key, type);
      const held = needles.find((n) => content.some((text) => text.includes(n)));
      if (held !== undefined) traces.push({ key, where: type, needle: held });
    }
  }
  return traces;
}

async function contentOf(redis: StoreClient, key: string, type: string): Promise<string[]> {
  switch (type) {
    case 'string':
      return [(await redis.get(key)) ?? ''];
    case 'hash':
      return Object.entries(await redis.hGetAll(key)).flat();
    case 'set':
      return redis.sMembers(key);
    case 'zset':
      return redis.zRange(key, 0, -1);
    case 'list':
      return redis.lRange(key, 0, -1);
    case 'none':
      return []; // gone between the SCAN and the read
    default:
      throw new Error(`${key}: a ${type}, which no stage writes and this search cannot read`);
  }
}

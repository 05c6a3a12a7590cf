/**
 * What the pipeline stored about the events the ledger looks up, read where
 * the pipeline keeps it: from Redis when the ledger has its URL (per-event
 * marks of both stages, the sessions' counts, the sessions' item sequences),
 * else from the collector's read API (the sessions' counts only). Keys come
 * from the collector's own layout (`stateLayout`), never spelled here.
 */
import { createClient, createCluster } from 'redis';
import type { StateLayout } from '@sessionflow/collector';
import type { KafkaEvent, StoreFacts } from './ledger.js';

/** The three reads the ledger makes, on a single Redis or a cluster (each on one key, routed to its slot). */
interface StoreReads {
  pExpireTime(key: string): Promise<number>;
  hGet(key: string, field: string): Promise<string | null>;
  lRange(key: string): Promise<string[]>;
  close(): Promise<void>;
}

async function connectStore(redisUrl: string): Promise<StoreReads> {
  const urls = redisUrl.split(',').map((u) => u.trim()).filter(Boolean);
  if (urls.length === 0) throw new Error('redisUrl: no Redis URL given');
  // Typed commands, named here: nothing the ledger sends can run a script (collector/test/script-calls.test.ts).
  const client = urls.length === 1 ? createClient({ url: urls[0]! }) : createCluster({ rootNodes: urls.map((url) => ({ url })) });
  client.on('error', () => {});
  await client.connect();
  return {
    pExpireTime: (key) => client.pExpireTime(key),
    hGet: async (key, field) => (await client.hGet(key, field)) ?? null,
    lRange: (key) => client.lRange(key, 0, -1),
    close: async () => void (await client.close()),
  };
}

/** Runs `work` over `items`, `width` at a time (node-redis pipelines what is sent in one go). */
async function inChunks<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map(work))));
  return out;
}

export interface StoreLookup {
  layout: StateLayout;
  /** The pipeline's `PIPELINE_DEDUPE_TTL_S`: a mark's expiry minus it is when it was written. */
  dedupeTtlS: number;
}

/** When a mark with this PEXPIRETIME answer was written: null when there is none (-2), or none with an expiry (-1). */
function markedAt(expireAtMs: number, ttlS: number): number | null {
  return expireAtMs < 0 ? null : expireAtMs - ttlS * 1000;
}

/** Reads the facts about `events` (and their sessions) from Redis. */
export async function storeFactsFromRedis(redisUrl: string, events: readonly KafkaEvent[], lookup: StoreLookup): Promise<StoreFacts> {
  const { layout, dedupeTtlS } = lookup;
  const store = await connectStore(redisUrl);
  try {
    const byUser = layout.everyByUser();
    const expireAt = (key: string): Promise<number> => store.pExpireTime(key);
    const sessionsSeen = new Map<string, number | null>();
    const aggregatesSeen = new Map<string, (number | null)[]>();
    const prefixSeen = new Map<string, (number | null)[]>();
    const chunk = 2_000;
    await inChunks(events, chunk, async (e) => {
      // Prefix copies matter to the item sequences, which only views change: looked up for views alone.
      const [sessions, aggregates, prefix] = await Promise.all([
        expireAt(layout.deviceSessions(e.anonymousId).seenEvent(e.eventId)),
        Promise.all(byUser.map((keys) => expireAt(keys.seenEvent(e.eventId)))),
        e.viewedProduct === undefined ? undefined : Promise.all(byUser.map((keys) => expireAt(keys.seenEvent(e.eventId, 'prefix')))),
      ]);
      sessionsSeen.set(e.eventId, markedAt(sessions, dedupeTtlS));
      aggregatesSeen.set(e.eventId, aggregates.map((at) => markedAt(at, dedupeTtlS)));
      if (prefix !== undefined) prefixSeen.set(e.eventId, prefix.map((at) => markedAt(at, dedupeTtlS)));
    });
    const sessions = [...new Map(events.map((e) => [e.sessionId, e.anonymousId])).entries()];
    const sessionEvents = new Map<string, number | null>();
    const sessionItems = new Map<string, string[]>();
    await inChunks(sessions, chunk / 4, async ([sessionId, anonymousId]) => {
      const key = layout.deviceSessions(anonymousId).session(sessionId);
      const [version, ...items] = await Promise.all([
        store.hGet(key, 'version'),
        ...byUser.map((keys) => {
          const list = keys.recsSessionItems(sessionId);
          return store.lRange(list);
        }),
      ]);
      sessionEvents.set(sessionId, version === null || version === undefined ? null : Number(version));
      sessionItems.set(sessionId, (items as string[][]).flat());
    });
    return { sessionsSeen, aggregatesSeen, prefixSeen, sessionEvents, sessionItems };
  } finally {
    await store.close();
  }
}

/** Reads the sessions' counts through the collector's read API (`GET /v1/sessions/:id`): no per-event marks without Redis. */
export async function storeFactsFromReadApi(collectorUrl: string, readSecret: string, events: readonly KafkaEvent[]): Promise<StoreFacts> {
  const sessionIds = [...new Set(events.map((e) => e.sessionId))];
  const sessionEvents = new Map<string, number | null>();
  await inChunks(sessionIds, 16, async (sessionId) => {
    const response = await fetch(`${collectorUrl}/v1/sessions/${encodeURIComponent(sessionId)}`, { headers: { authorization: `Bearer ${readSecret}` } });
    if (response.status === 404) {
      await response.body?.cancel();
      sessionEvents.set(sessionId, null);
      return;
    }
    if (!response.ok) throw new Error(`GET /v1/sessions/${sessionId}: ${response.status} ${await response.text()}`);
    const view = (await response.json()) as { events?: unknown };
    if (typeof view.events !== 'number') throw new Error(`GET /v1/sessions/${sessionId}: the answer has no events count`);
    sessionEvents.set(sessionId, view.events);
  });
  return { sessionEvents };
}

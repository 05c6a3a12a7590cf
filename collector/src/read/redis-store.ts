/**
 * The read API's view of Redis, in the key layout the pipeline writes
 * (store/keys.ts). Every failure to reach Redis becomes a
 * ReadStoreUnavailableError, which the routes answer with 503.
 */
import type { InventoryView, ProfileView, RecsView } from '@sessionflow/core';
import { parseCatalogEntry, type CatalogEntry } from '../catalog/schema.js';
import type { StoreClient } from '../store/client.js';
import { decayedAt } from '../store/decay.js';
import type { StoreKeys } from '../store/keys.js';
import { PROFILE_LIMITS } from '../pipeline/commands.js';
import { popularityCandidates, recsItems, type Scored } from './ranking.js';
import { ReadStoreUnavailableError, type ReadStore, type RecsQuery } from './store.js';

/** Catalog entries scanned to fill recommendations when too few products have been touched. */
const CATALOG_FILL_SCAN = 500;

export function redisReadStore(redis: StoreClient, keys: StoreKeys): ReadStore {
  const guarded = async <T>(read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      throw new ReadStoreUnavailableError(`Redis did not answer: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };

  return {
    available: () => redis.isReady,

    recs: (query, nowMs) => guarded(() => readRecs(redis, keys, query, nowMs)),

    inventory: (ids) =>
      guarded(async (): Promise<InventoryView> => {
        const values = ids.length === 0 ? [] : await redis.hmGet(keys.inventory, [...ids]);
        const inStock: Record<string, boolean> = {};
        ids.forEach((id, i) => {
          const value = values[i];
          if (value === '1' || value === '0') inStock[id] = value === '1';
        });
        return { inStock };
      }),

    profile: (id, nowMs) =>
      guarded(async (): Promise<ProfileView | null> => {
        const [updatedAt, userId, sessions, affinities, recentlyViewed, purchased] = await Promise.all([
          redis.zScore(keys.profilesUpdatedAt, id),
          redis.hGet(keys.profile(id), 'userId'),
          redis.sCard(keys.profileSessions(id)),
          redis.hGetAll(keys.profileAffinities(id)),
          redis.lRange(keys.profileRecentlyViewed(id), 0, PROFILE_LIMITS.recentlyViewed - 1),
          redis.lRange(keys.profilePurchased(id), 0, PROFILE_LIMITS.purchased - 1),
        ]);
        if (updatedAt === null) return null;
        const decayed: Record<string, number> = {};
        for (const [category, stored] of Object.entries(affinities)) {
          const value = decayedAt(Number(stored), nowMs);
          if (Number.isFinite(value) && value > 0) decayed[category] = value;
        }
        return {
          id,
          ...(typeof userId === 'string' ? { userId } : {}),
          // One device per profile until identity stitching joins them.
          anonymousIds: [id],
          sessions,
          affinities: decayed,
          recentlyViewed,
          purchased,
          updatedAt,
        };
      }),
  };
}

async function readRecs(redis: StoreClient, keys: StoreKeys, query: RecsQuery, nowMs: number): Promise<RecsView> {
  // Room for what stock and the catalog filter out.
  const depth = query.n * 3 + 10;
  const context = query.context === undefined ? null : await redis.hGet(keys.products, query.context);
  const contextCategory = typeof context === 'string' ? parseCatalogEntry(context)?.category : undefined;
  const [inCategory, overall] = await Promise.all([
    contextCategory === undefined ? Promise.resolve([]) : topScored(redis, keys.categoryPopularity(contextCategory), depth),
    topScored(redis, keys.popularity, depth),
  ]);
  let candidates = popularityCandidates({ inCategory, overall, catalogFill: [], contextId: query.context, contextCategory, n: query.n });
  let { catalog, inStock } = await describe(redis, keys, candidates.map((c) => c.id));
  let items = recsItems(candidates, catalog, inStock, query.n, contextCategory);

  if (items.length < query.n) {
    const { entries } = await redis.hScan(keys.products, '0', { COUNT: CATALOG_FILL_SCAN });
    const fillIds = entries.map((e) => e.field);
    candidates = popularityCandidates({ inCategory, overall, catalogFill: fillIds, contextId: query.context, contextCategory, n: query.n });
    ({ catalog, inStock } = await describe(redis, keys, candidates.map((c) => c.id)));
    items = recsItems(candidates, catalog, inStock, query.n, contextCategory);
  }
  return { items, source: 'popularity', generatedAt: nowMs };
}

async function topScored(redis: StoreClient, key: string, count: number): Promise<Scored[]> {
  const members = await redis.zRangeWithScores(key, 0, count - 1, { REV: true });
  return members.map(({ value, score }) => ({ id: value, score }));
}

async function describe(redis: StoreClient, keys: StoreKeys, ids: string[]): Promise<{ catalog: Map<string, CatalogEntry>; inStock: Map<string, boolean> }> {
  const catalog = new Map<string, CatalogEntry>();
  const inStock = new Map<string, boolean>();
  if (ids.length === 0) return { catalog, inStock };
  const [products, stock] = await Promise.all([redis.hmGet(keys.products, ids), redis.hmGet(keys.inventory, ids)]);
  ids.forEach((id, i) => {
    const product = products[i];
    const entry = typeof product === 'string' ? parseCatalogEntry(product) : null;
    if (entry) catalog.set(id, entry);
    const value = stock[i];
    if (value === '1' || value === '0') inStock.set(id, value === '1');
  });
  return { catalog, inStock };
}

/**
 * `RecsStore` over node-redis in the layout the pipeline writes (store/keys.ts,
 * store/recs-keys.ts). node-redis writes the commands issued in one tick together, so each method,
 * and each group of methods the caller awaits together, is one round trip.
 */
import type { ScoredItem, SessionRecord } from '@sessionflow/core';
import { parseCatalogEntry, type CatalogEntry } from '../../catalog/schema.js';
import { PROFILE_LIMITS } from '../../pipeline/commands.js';
import type { StoreClient } from '../../store/client.js';
import { decayedAt } from '../../store/decay.js';
import type { StoreKeys } from '../../store/keys.js';
import type { RecsStore } from './store.js';

/** KEYS: time, items of each session in turn → [[time, [items…]], …] (a missing time comes back as false). */
const SESSIONS_SCRIPT = `local out = {}
for i = 1, #KEYS, 2 do
  out[#out + 1] = { redis.call('GET', KEYS[i]), redis.call('LRANGE', KEYS[i + 1], 0, -1) }
end
return out`;

/** Parsed catalog values kept per store: a call reads hundreds, and validating each again cost most of a call. */
const PARSED_CATALOG_LIMIT = 10_000;

export function redisRecsStore(redis: StoreClient, keys: StoreKeys): RecsStore {
  // Keyed by the stored JSON itself, so a product the catalog changed is parsed afresh.
  const parsed = new Map<string, CatalogEntry | null>();
  const entryOf = (json: string): CatalogEntry | null => {
    let entry = parsed.get(json);
    if (entry === undefined) {
      if (parsed.size >= PARSED_CATALOG_LIMIT) parsed.clear();
      entry = parseCatalogEntry(json);
      parsed.set(json, entry);
    }
    return entry;
  };

  return {
    sessions: async (ids) => {
      if (ids.length === 0) return [];
      // One script for the whole sample: a command per session cost more in the client than in Redis.
      const keysOf = ids.flatMap((id) => [keys.recsSessionTime(id), keys.recsSessionItems(id)]);
      const reply = (await redis.sendCommand(['EVAL', SESSIONS_SCRIPT, String(keysOf.length), ...keysOf])) as unknown;
      return ids.map((_, i): SessionRecord | undefined => {
        const [time, items] = Array.isArray(reply) && Array.isArray(reply[i]) ? (reply[i] as unknown[]) : [];
        const at = Number(typeof time === 'string' ? time : Number.NaN);
        if (!Array.isArray(items) || items.length === 0 || !Number.isFinite(at)) return undefined;
        return { items: items.filter((item): item is string => typeof item === 'string'), time: at };
      });
    },

    sessionTimes: async (ids) => {
      if (ids.length === 0) return [];
      const times = await redis.mGet(ids.map((id) => keys.recsSessionTime(id)));
      return times.map((value) => {
        const time = Number(value ?? Number.NaN);
        return Number.isFinite(time) ? time : undefined;
      });
    },

    itemSessions: (items, limit) => Promise.all(items.map((item) => redis.lRange(keys.recsItemSessions(item), 0, limit - 1))),

    recentlyViewed: (profile) => redis.lRange(keys.profileRecentlyViewed(profile), 0, PROFILE_LIMITS.recentlyViewed - 1),

    affinities: async (profile, nowMs) => {
      const stored = await redis.hGetAll(keys.profileAffinities(profile));
      const affinities: Record<string, number> = {};
      for (const [category, value] of Object.entries(stored)) {
        const now = decayedAt(Number(value), nowMs);
        if (Number.isFinite(now) && now > 0) affinities[category] = now;
      }
      return affinities;
    },

    products: async (ids) => {
      const catalog = new Map<string, CatalogEntry>();
      if (ids.length === 0) return catalog;
      const values = await redis.hmGet(keys.products, [...ids]);
      ids.forEach((id, i) => {
        const value = values[i];
        const entry = typeof value === 'string' ? entryOf(value) : null;
        if (entry) catalog.set(id, entry);
      });
      return catalog;
    },

    stock: async (ids) => {
      const inStock = new Map<string, boolean>();
      if (ids.length === 0) return inStock;
      const values = await redis.hmGet(keys.inventory, [...ids]);
      ids.forEach((id, i) => {
        const value = values[i];
        if (value === '1' || value === '0') inStock.set(id, value === '1');
      });
      return inStock;
    },

    popular: async (limit, category): Promise<ScoredItem[]> => {
      const key = category === undefined ? keys.popularity : keys.categoryPopularity(category);
      const members = await redis.zRangeWithScores(key, 0, limit - 1, { REV: true });
      return members.map(({ value, score }) => ({ item: value, score }));
    },

    catalogIds: async (count) => {
      const { entries } = await redis.hScan(keys.products, '0', { COUNT: count });
      return entries.map((e) => e.field);
    },
  };
}

/**
 * `RecsStore` over the store client in the layout the pipeline writes (store/keys.ts,
 * store/recs-keys.ts, store/layout.ts). The client writes the commands issued in one tick together,
 * so each method, and each group of methods the caller awaits together, is one round trip.
 *
 * The model's state is spread over the by-user partitions (store/owner.ts): a session's items and
 * time live in the partition of the person whose events they came from, and each partition keeps
 * its own part of every product's recent sessions. So a product's sessions are its parts' lists
 * merged (the most recent of each part first, in turn), and the store remembers which partition
 * each of those sessions came from, to read its items and time there. The open session is read in
 * the partition of the profile named with it, or in every partition when none is.
 */
import type { ScoredItem, SessionRecord } from '@sessionflow/core';
import { parseCatalogEntry, type CatalogEntry } from '../../catalog/schema.js';
import { PROFILE_LIMITS } from '../../pipeline/commands.js';
import { storeScript, type StoreClient } from '../../store/client.js';
import { decayedAt } from '../../store/decay.js';
import type { StoreKeys } from '../../store/keys.js';
import type { StateLayout } from '../../store/layout.js';
import type { RecsStore } from './store.js';

/** KEYS: time, items of each session in turn, all of one partition → [[time, [items…]], …] (a missing time comes back as false). */
const SESSIONS_SCRIPT = storeScript(`local out = {}
for i = 1, #KEYS, 2 do
  out[#out + 1] = { redis.call('GET', KEYS[i]), redis.call('LRANGE', KEYS[i + 1], 0, -1) }
end
return out`);

/** Parsed catalog values kept per store: a call reads hundreds, and validating each again cost most of a call. */
const PARSED_CATALOG_LIMIT = 10_000;
/** Sessions whose partition is remembered: a call's candidates, a few thousand at most. */
const REMEMBERED_SESSIONS = 50_000;

export function redisRecsStore(redis: StoreClient, layout: StateLayout): RecsStore {
  const parts = layout.everyByUser();
  // Session id → the by-user partitions whose product lists named it (a login session's: the device's and the user's).
  const partsOf = new Map<string, Set<number>>();
  const remember = (sessionId: string, partition: number) => {
    if (partsOf.size >= REMEMBERED_SESSIONS) partsOf.clear();
    const known = partsOf.get(sessionId) ?? new Set<number>();
    known.add(partition);
    partsOf.set(sessionId, known);
  };
  /** Where to look for a session: the partitions remembered for it, else every one. */
  const whereIs = (sessionId: string): readonly number[] => {
    const known = partsOf.get(sessionId);
    return known === undefined ? parts.map((_, p) => p) : [...known];
  };
  /** Each session's record read in `partition` (one script: a command per session cost more in the client than in Redis). */
  const readSessions = async (keys: StoreKeys, ids: readonly string[]): Promise<(SessionRecord | undefined)[]> => {
    if (ids.length === 0) return [];
    const keysOf = ids.flatMap((id) => [keys.recsSessionTime(id), keys.recsSessionItems(id)]);
    const reply = await redis.runScript(SESSIONS_SCRIPT, keysOf, []);
    return ids.map((_, i): SessionRecord | undefined => {
      const [time, items] = Array.isArray(reply) && Array.isArray(reply[i]) ? (reply[i] as unknown[]) : [];
      const at = Number(typeof time === 'string' ? time : Number.NaN);
      if (!Array.isArray(items) || items.length === 0 || !Number.isFinite(at)) return undefined;
      return { items: items.filter((item): item is string => typeof item === 'string'), time: at };
    });
  };
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
      // Per partition, the sessions to read there; of a session found in several, the latest record (the user's
      // partition holds a login session's whole sequence, its device's the part before the login).
      const byPart = new Map<number, number[]>();
      ids.forEach((id, i) => {
        for (const p of whereIs(id)) byPart.set(p, [...(byPart.get(p) ?? []), i]);
      });
      const out: (SessionRecord | undefined)[] = ids.map(() => undefined);
      await Promise.all(
        [...byPart].map(async ([p, at]) => {
          const records = await readSessions(parts[p] as StoreKeys, at.map((i) => ids[i] as string));
          at.forEach((i, k) => {
            const record = records[k];
            const best = out[i];
            if (record !== undefined && (best === undefined || record.time > best.time || (record.time === best.time && record.items.length > best.items.length))) out[i] = record;
          });
        }),
      );
      return out;
    },

    openSession: async (id, profile) => {
      const keys = profile === undefined ? undefined : layout.profile(profile);
      const found = await Promise.all((keys === undefined ? parts : [keys]).map((k) => readSessions(k, [id])));
      let best: SessionRecord | undefined;
      for (const [record] of found) if (record !== undefined && (best === undefined || record.time > best.time)) best = record;
      return best;
    },

    sessionTimes: async (ids) => {
      const wanted = ids.flatMap((id, i) => whereIs(id).map((p) => ({ i, key: (parts[p] as StoreKeys).recsSessionTime(id) })));
      const values = await redis.mGet(wanted.map((w) => w.key));
      const times: (number | undefined)[] = ids.map(() => undefined);
      wanted.forEach(({ i }, k) => {
        const time = Number(values[k] ?? Number.NaN);
        if (Number.isFinite(time) && (times[i] === undefined || time > (times[i] as number))) times[i] = time;
      });
      return times;
    },

    itemSessions: (items, limit) =>
      Promise.all(
        items.map(async (item) => {
          const lists = await Promise.all(parts.map((keys) => redis.lRange(keys.recsItemSessions(item), 0, limit - 1)));
          // The parts in turn, each most recent first: the caller picks its sample by the sessions' times.
          const merged: string[] = [];
          const seen = new Set<string>();
          for (let rank = 0; merged.length < limit && lists.some((list) => rank < list.length); rank++) {
            lists.forEach((list, partition) => {
              const id = list[rank];
              if (id === undefined || seen.has(id) || merged.length >= limit) return;
              seen.add(id);
              remember(id, partition);
              merged.push(id);
            });
          }
          return merged;
        }),
      ),

    recentlyViewed: (profile) => redis.lRange(layout.profile(profile).profileRecentlyViewed(profile), 0, PROFILE_LIMITS.recentlyViewed - 1),

    affinities: async (profile, nowMs) => {
      const stored = await redis.hGetAll(layout.profile(profile).profileAffinities(profile));
      const affinities: Record<string, number> = {};
      for (const [category, value] of Object.entries(stored)) {
        const now = decayedAt(Number(value), nowMs);
        if (Number.isFinite(now) && now > 0) affinities[category] = now;
      }
      return affinities;
    },

    products: async (ids) => {
      const catalog = new Map<string, CatalogEntry>();
      const values = await hashFields(redis, ids, (id) => layout.product(id).products);
      ids.forEach((id, i) => {
        const value = values[i];
        const entry = typeof value === 'string' ? entryOf(value) : null;
        if (entry) catalog.set(id, entry);
      });
      return catalog;
    },

    stock: async (ids) => {
      const inStock = new Map<string, boolean>();
      const values = await hashFields(redis, ids, (id) => layout.stock(id).inventory);
      ids.forEach((id, i) => {
        const value = values[i];
        if (value === '1' || value === '0') inStock.set(id, value === '1');
      });
      return inStock;
    },

    popular: async (limit, category): Promise<ScoredItem[]> => {
      // Each partition's part holds its own counts: the sum of the parts' tops, best first. An approximation where
      // an item sits just below the top `limit` of several parts (its sum there is missing); the fallback reads far
      // more than it offers (its slack), and the parts are trimmed to their own top anyway (`popularityKept`).
      const lists = await Promise.all(parts.map((keys) => redis.zRangeWithScores(category === undefined ? keys.popularity : keys.categoryPopularity(category), 0, limit - 1, { REV: true })));
      const sums = new Map<string, number>();
      for (const list of lists) for (const { value, score } of list) sums.set(value, (sums.get(value) ?? 0) + score);
      return [...sums]
        .map(([item, score]) => ({ item, score }))
        .sort((a, b) => b.score - a.score || (a.item < b.item ? -1 : a.item > b.item ? 1 : 0))
        .slice(0, limit);
    },

    catalogIds: async (count) => {
      const partitions = layout.owners.products.all();
      const each = Math.max(1, Math.ceil(count / partitions.length));
      const pages = await Promise.all(partitions.map((p) => redis.hScan(layout.productsAt(p).products, '0', each)));
      return pages.flatMap((page) => page.entries.map((e) => e.field));
    },
  };
}

/** The values of hash fields `ids`, each in the hash part `keyOf` names for it, in the order asked. */
export async function hashFields(redis: StoreClient, ids: readonly string[], keyOf: (id: string) => string): Promise<(string | null)[]> {
  const out: (string | null)[] = ids.map(() => null);
  const groups = new Map<string, number[]>();
  ids.forEach((id, i) => {
    const key = keyOf(id);
    const group = groups.get(key) ?? [];
    group.push(i);
    groups.set(key, group);
  });
  await Promise.all(
    [...groups].map(async ([key, at]) => {
      const values = await redis.hmGet(key, at.map((i) => ids[i] as string));
      at.forEach((i, k) => (out[i] = values[k] ?? null));
    }),
  );
  return out;
}

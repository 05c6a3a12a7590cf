/**
 * The state changes of consumed records, as Redis commands: pure functions
 * from records (and the catalog's categories, looked up by the caller) to the
 * commands that go into the batch's one MULTI/EXEC. Tested without Redis.
 *
 * Every command is either order-free (ZINCRBY, HINCRBYFLOAT of forward-decayed
 * values, SADD, ZADD GT, HSET of the latest value) or applied in record order
 * (the recently-viewed and purchased lists), so replaying the same records in
 * other batch sizes gives the same state.
 */
import type { IngestedEvent } from '@sessionflow/core';
import { parseCatalogEntry } from '../catalog/schema.js';
import { forwardDecayed } from '../store/decay.js';
import type { StoreKeys } from '../store/keys.js';
import { productSignals, SIGNAL_WEIGHTS } from './signals.js';
import { profileIdentityCommands } from './identity/profile-commands.js';
import { dedupeIdOf, isPrefixRecord, profileIdOf, type ByUserEvent } from './identity/records.js';
import type { ExperimentSetup } from './experiments/config.js';
import { experimentCommands } from './experiments/commands.js';
import { rollupCommands } from './rollups/commands.js';
import { recsViewCommands } from './recs/commands.js';

export type RedisCommand = string[];

export const PROFILE_LIMITS = Object.freeze({ recentlyViewed: 20, purchased: 100 });

export interface EventPlanContext {
  keys: StoreKeys;
  /** How long an event id is remembered to count a duplicate once. */
  seenTtlSeconds: number;
  /** The catalog's category of a product, for signals whose event names none. */
  categoryOf(productId: string): string | undefined;
  /** The experiments whose exposures and conversions are counted; none when absent. */
  experiments?: readonly ExperimentSetup[];
}

/** When the event happened, by the visitor's clock, but never after the edge received it (a clock in the future). */
export function eventTime(event: IngestedEvent): number {
  const received = event.ingest?.receivedAt;
  return typeof received === 'number' ? Math.min(event.timestamp, received) : event.timestamp;
}

/**
 * Commands for events already known to be new (not counted before, each once).
 *
 * Per batch, not per event, where the result is the same whatever the order
 * and however the records are cut into batches: one ZADD GT per profile (the
 * latest time wins), one SADD per set (a union), one ZINCRBY per product (a sum
 * of integers), and per list the products in the order of their last
 * occurrence (moving to the head is all that a repeat does). Affinities stay
 * one HINCRBYFLOAT per signal: summing floats first could round differently
 * when a restart cuts the batches elsewhere.
 */
export function eventCommands(events: readonly ByUserEvent[], ctx: EventPlanContext): RedisCommand[] {
  const { keys } = ctx;
  const commands: RedisCommand[] = [];
  // A prefix record (identity/records.ts) changes its canonical id's profile only: global state counted it when it was anonymous.
  const counted = events.filter((e) => !isPrefixRecord(e));
  // Popularity is a sum of integers, so one ZINCRBY per product and batch gives the same state as one per event.
  const popularity = new Map<string, Map<string, number>>();
  const addPopularity = (key: string, productId: string, weight: number) => {
    const scores = popularity.get(key) ?? new Map<string, number>();
    scores.set(productId, (scores.get(productId) ?? 0) + weight);
    popularity.set(key, scores);
  };
  const updatedAt = new Map<string, number>();
  const sets = new Map<string, Set<string>>();
  const addToSet = (key: string, member: string) => {
    const members = sets.get(key) ?? new Set<string>();
    members.add(member);
    sets.set(key, members);
  };
  const lists = new Map<string, { ids: string[]; limit: number }>();
  const moveToHead = (key: string, id: string, limit: number) => {
    const list = lists.get(key) ?? { ids: [], limit };
    list.ids.push(id);
    lists.set(key, list);
  };

  for (const event of events) {
    const profile = profileIdOf(event);
    const global = !isPrefixRecord(event);
    const at = eventTime(event);
    commands.push(['SET', keys.seenEvent(dedupeIdOf(event)), '1', 'EX', String(ctx.seenTtlSeconds)]);
    updatedAt.set(profile, Math.max(updatedAt.get(profile) ?? Number.NEGATIVE_INFINITY, at));
    addToSet(keys.profileSessions(profile), event.sessionId);
    for (const command of profileIdentityCommands(event, profile, keys)) {
      if (command[0] === 'SADD' && command.length === 3) addToSet(command[1] as string, command[2] as string);
      else commands.push(command);
    }

    for (const signal of productSignals(event)) {
      const weight = SIGNAL_WEIGHTS[signal.kind];
      const category = signal.category ?? ctx.categoryOf(signal.productId);
      if (global) addPopularity(keys.popularity, signal.productId, weight);
      if (category !== undefined) {
        if (global) addPopularity(keys.categoryPopularity(category), signal.productId, weight);
        commands.push(['HINCRBYFLOAT', keys.profileAffinities(profile), category, String(forwardDecayed(weight, at))]);
      }
      if (signal.kind === 'view') moveToHead(keys.profileRecentlyViewed(profile), signal.productId, PROFILE_LIMITS.recentlyViewed);
      if (signal.kind === 'purchase') moveToHead(keys.profilePurchased(profile), signal.productId, PROFILE_LIMITS.purchased);
    }
  }

  for (const [profile, at] of updatedAt) commands.push(['ZADD', keys.profilesUpdatedAt, 'GT', String(at), profile]);
  for (const [key, members] of sets) commands.push(...inChunks(['SADD', key], [...members]));
  for (const [key, { ids, limit }] of lists) commands.push(...mostRecentFirst(key, ids, limit));
  for (const [key, scores] of popularity) {
    for (const [productId, weight] of scores) commands.push(['ZINCRBY', key, String(weight), productId]);
  }
  commands.push(...experimentCommands(counted, keys, ctx.experiments ?? []), ...rollupCommands(counted, keys));
  commands.push(...recsViewCommands(counted, keys));
  return commands;
}

/** Members of one command per chunk: a batch script passes at most a few thousand arguments to a command. */
export function inChunks(head: RedisCommand, members: readonly string[], size = 1_000): RedisCommand[] {
  const commands: RedisCommand[] = [];
  for (let i = 0; i < members.length; i += size) commands.push([...head, ...members.slice(i, i + size)]);
  return commands;
}

/**
 * Moves each of `ids` (in record order) to the head of the list, keeping at
 * most `limit` entries: the state one LREM + LPUSH + LTRIM per id would leave.
 * Only an id's last move decides its place, and only the last `limit`
 * distinct ids can stay in the list.
 */
export function mostRecentFirst(key: string, ids: readonly string[], limit: number): RedisCommand[] {
  if (ids.length === 0) return [];
  const latest = new Set<string>();
  for (let i = ids.length - 1; i >= 0 && latest.size < limit; i--) latest.add(ids[i] as string);
  const oldestFirst = [...latest].reverse();
  const commands: RedisCommand[] = [];
  for (const id of oldestFirst) commands.push(['LREM', key, '0', id]);
  commands.push(['LPUSH', key, ...oldestFirst], ['LTRIM', key, '0', String(limit - 1)]);
  return commands;
}

/** A `sf.products` record: the latest product under its id; a tombstone removes it. Null for a value that is not a product. */
export function productCommands(key: string | null, value: string | null, keys: StoreKeys): RedisCommand[] | null {
  if (key === null) return null;
  if (value === null) return [['HDEL', keys.products, key]];
  const product = parseCatalogEntry(value);
  if (product === null || product.id !== key) return null;
  return [['HSET', keys.products, key, JSON.stringify(product)]];
}

/** A `sf.inventory` record `{"inStock": boolean}`; a tombstone forgets the stock. Null for a value that is not one. */
export function inventoryCommands(key: string | null, value: string | null, keys: StoreKeys): RedisCommand[] | null {
  if (key === null) return null;
  if (value === null) return [['HDEL', keys.inventory, key]];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  const inStock = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>)['inStock'] : undefined;
  if (typeof inStock !== 'boolean') return null;
  return [['HSET', keys.inventory, key, inStock ? '1' : '0']];
}

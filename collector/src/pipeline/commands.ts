/**
 * The state changes of consumed records, as Redis commands: pure functions
 * from records (and the catalog's categories, looked up by the caller) to the
 * commands that go into the batch's one guarded script. Tested without Redis.
 *
 * Every command is either order-free (ZINCRBY, HINCRBYFLOAT of forward-decayed
 * values, SADD, ZADD GT, the latest value) or applied in record order (the
 * recently-viewed and purchased lists), so replaying the same records in
 * other batch sizes gives the same state. The exceptions are the bounds: a
 * product that falls out of a popularity set's top, or a session out of a
 * profile's kept ones, is dropped where the batch that pushed it out ends.
 */
import type { IngestedEvent } from '@sessionflow/core';
import { parseCatalogEntry } from '../catalog/schema.js';
import { DEFAULT_STATE_BOUNDS, type StateBounds } from '../store/bounds.js';
import { RECS_LIMITS } from '../store/recs-keys.js';
import { forwardDecayed } from '../store/decay.js';
import type { StoreKeys } from '../store/keys.js';
import { productSignals, SIGNAL_WEIGHTS } from './signals.js';
import { isPrefixRecord, profileRefOf, seenKeyOf, type ByUserEvent } from './identity/records.js';
import type { ExperimentSetup } from './experiments/config.js';
import { experimentCommands } from './experiments/commands.js';
import { rollupCommands } from './rollups/commands.js';
import { recsViewCommands } from './recs/commands.js';
import { profileExpiryCommands, profileTouchCommands, type ProfileTouch } from './profiles/commands.js';

export type RedisCommand = string[];

/**
 * The name of a planner's own Lua script in a batch: `[PLANNER_SCRIPT, text,
 * ...args]` runs `text` as a function of `args` inside the batch's one script
 * (store/guarded-batch.ts), whose declared keys include every key the planner
 * script says it touches (planner-scripts.ts). Not a Redis command: nothing
 * sends it on its own.
 */
export const PLANNER_SCRIPT = 'PLANNER';

export const PROFILE_LIMITS = Object.freeze({ recentlyViewed: 20, purchased: 100 });

export interface EventPlanContext {
  keys: StoreKeys;
  /** How long an event id is remembered to count a duplicate once. */
  seenTtlSeconds: number;
  /** The catalog's category of a product, for signals whose event names none. */
  categoryOf(productId: string): string | undefined;
  /** The experiments whose exposures and conversions are counted; none when absent. */
  experiments?: readonly ExperimentSetup[];
  /** How long and how much state is kept (store/bounds.ts); the defaults when absent. */
  bounds?: StateBounds;
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
 * and however the records are cut into batches: one script call for the
 * profiles' latest times and session counts (profiles/), one SADD per set (a
 * union), one ZINCRBY per product (a sum of integers), and per list the
 * products in the order of their last occurrence (moving to the head is all
 * that a repeat does). Affinities stay one HINCRBYFLOAT per signal: summing
 * floats first could round differently when a restart cuts the batches
 * elsewhere. Then the bounds: the popularity sets trimmed to their top, a
 * category's set expiring, and every touched profile's keys expiring after
 * its quiet period (store/bounds.ts).
 */
export function eventCommands(events: readonly ByUserEvent[], ctx: EventPlanContext): RedisCommand[] {
  const { keys } = ctx;
  const bounds = ctx.bounds ?? DEFAULT_STATE_BOUNDS;
  const commands: RedisCommand[] = [];
  // A prefix record (identity/records.ts) changes its canonical id's profile only: global state counted it when it was anonymous.
  const counted = events.filter((e) => !isPrefixRecord(e));
  // Popularity is a sum of integers, so one ZINCRBY per product and batch gives the same state as one per event.
  const popularity = new Map<string, Map<string, number>>();
  const categories = new Set<string>();
  const addPopularity = (key: string, productId: string, weight: number) => {
    const scores = popularity.get(key) ?? new Map<string, number>();
    scores.set(productId, (scores.get(productId) ?? 0) + weight);
    popularity.set(key, scores);
  };
  const touched = new Map<string, ProfileTouch>();
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
    const profile = profileRefOf(event);
    const global = !isPrefixRecord(event);
    const at = eventTime(event);
    commands.push(['SET', seenKeyOf(event, keys), '1', 'EX', String(ctx.seenTtlSeconds)]);
    let touch = touched.get(profile);
    if (touch === undefined) touched.set(profile, (touch = { updatedAt: at, sessions: new Map() }));
    touch.updatedAt = Math.max(touch.updatedAt, at);
    // Event time, as updatedAt: a user's profile then ends the same from the prefix the identity stage keeps as from every raw event.
    touch.sessions.set(event.sessionId, Math.max(touch.sessions.get(event.sessionId) ?? Number.NEGATIVE_INFINITY, at));
    addToSet(keys.profileDevices(profile), event.anonymousId);

    for (const signal of productSignals(event)) {
      const weight = SIGNAL_WEIGHTS[signal.kind];
      const category = signal.category ?? ctx.categoryOf(signal.productId);
      if (global) addPopularity(keys.popularity, signal.productId, weight);
      if (category !== undefined) {
        if (global) {
          addPopularity(keys.categoryPopularity(category), signal.productId, weight);
          categories.add(keys.categoryPopularity(category));
        }
        commands.push(['HINCRBYFLOAT', keys.profileAffinities(profile), category, String(forwardDecayed(weight, at))]);
      }
      if (signal.kind === 'view') moveToHead(keys.profileRecentlyViewed(profile), signal.productId, PROFILE_LIMITS.recentlyViewed);
      if (signal.kind === 'purchase') moveToHead(keys.profilePurchased(profile), signal.productId, PROFILE_LIMITS.purchased);
    }
  }

  commands.push(...profileTouchCommands(touched, keys, bounds));
  for (const [key, members] of sets) commands.push(...inChunks(['SADD', key], [...members]));
  for (const [key, { ids, limit }] of lists) commands.push(...mostRecentFirst(key, ids, limit));
  for (const [key, scores] of popularity) {
    for (const [productId, weight] of scores) commands.push(['ZINCRBY', key, String(weight), productId]);
    // The top is what recommendations read (at most n + prefix + slack, far below the bound); the long tail goes.
    commands.push(['ZREMRANGEBYRANK', key, '0', String(-(bounds.popularityKept + 1))]);
  }
  // Categories come from events: a category nobody touches for a while is forgotten.
  for (const key of categories) commands.push(['EXPIRE', key, String(bounds.categoryPopularityTtlSeconds)]);
  for (const profile of touched.keys()) commands.push(...profileExpiryCommands(profile, keys, bounds));
  commands.push(...experimentCommands(counted, keys, ctx.experiments ?? [], bounds), ...rollupCommands(counted, keys));
  // Prefix records too: the user's partition learns the login session's views from before the login (recs/commands.ts).
  commands.push(...recsViewCommands(events, keys, { ...RECS_LIMITS, ttlSeconds: bounds.recsTtlSeconds }));
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

/**
 * Applies one topic-partition batch to Redis exactly once in effect.
 *
 * - The batch's state changes and the partition's next offset are written in
 *   ONE MULTI/EXEC, so Redis never holds changes without the offset that
 *   covers them, nor the reverse.
 * - Records below the stored offset are skipped: whatever Kafka re-delivers
 *   (a restart, a rebalance, a fetch that started before the seek to the stored
 *   offset landed) is applied once.
 * - The offset key and the batch's event-id keys are WATCHed before they are
 *   read: if another consumer (the partition's new owner after a rebalance, a
 *   zombie of the old one) writes them before our EXEC, Redis refuses the
 *   transaction and the batch is planned again from what is stored now.
 * - An event id already counted (an edge retry, a relay after a lost answer)
 *   is skipped. WATCH+MGET instead of SET NX in the transaction, because
 *   commands in a MULTI cannot depend on each other's results: the event's
 *   other changes would be applied even when its SET NX found the id.
 */
import { WatchError } from 'redis';
import type { IngestedEvent, Topics } from '@sessionflow/core';
import { parseCatalogEntry } from '../catalog/schema.js';
import type { StoreClient } from '../store/client.js';
import type { StoreKeys } from '../store/keys.js';
import { eventCommands, inventoryCommands, productCommands, type RedisCommand } from './commands.js';
import { productSignals } from './signals.js';
import type { IdentityKeys } from '../store/identity-keys.js';
import { idsOf, isErased, watchErasureMarks } from './identity/erased.js';
import { dedupeIdOf, profileIdOf, type ByUserEvent } from './identity/records.js';
import type { ExperimentSetup } from './experiments/config.js';

export interface BatchMessage {
  offset: string;
  key: string | null;
  value: string | null;
}

export interface TopicBatch {
  topic: string;
  partition: number;
  messages: readonly BatchMessage[];
}

export interface BatchOutcome {
  /** Records at or past the stored offset, now covered by it. */
  applied: number;
  /** Records below the stored offset: applied before. */
  replayed: number;
  /** Events whose id was counted already. */
  duplicates: number;
  /** Records that could not be read (not JSON, not the topic's shape): covered by the offset, changing nothing. */
  unreadable: number;
  /** Profiles (canonical ids) the batch changed, for their snapshots. */
  profiles?: string[];
}

export interface ApplyDeps {
  redis: StoreClient;
  keys: StoreKeys;
  topics: Pick<Topics, 'eventsByUser' | 'products' | 'inventory'>;
  /** Erasure markers (identity/erased.ts): events of an erased person still in flight change nothing. */
  identityKeys: IdentityKeys;
  seenTtlSeconds: number;
  /** The experiments whose exposures and conversions are counted. */
  experiments?: readonly ExperimentSetup[];
  /** Attempts when concurrent writers keep changing what the batch watched. */
  maxAttempts?: number;
}

export async function applyBatch(deps: ApplyDeps, batch: TopicBatch): Promise<BatchOutcome> {
  const maxAttempts = deps.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptBatch(deps, batch);
    } catch (error) {
      if (!(error instanceof WatchError) || attempt >= maxAttempts) throw error;
    }
  }
}

async function attemptBatch(deps: ApplyDeps, batch: TopicBatch): Promise<BatchOutcome> {
  const { redis, keys } = deps;
  const offsetKey = keys.offset(batch.topic, batch.partition);
  await redis.watch(offsetKey);
  const stored = await redis.get(offsetKey);
  const from = stored === null ? -1n : BigInt(stored);
  const fresh = batch.messages.filter((m) => BigInt(m.offset) >= from);
  const outcome: BatchOutcome = { applied: fresh.length, replayed: batch.messages.length - fresh.length, duplicates: 0, unreadable: 0 };
  const last = fresh.at(-1);
  if (last === undefined) {
    await redis.unwatch();
    return outcome;
  }

  let commands: RedisCommand[];
  if (batch.topic === deps.topics.eventsByUser) {
    const planned = await planEvents(deps, fresh);
    commands = planned.commands;
    outcome.profiles = planned.profiles;
    outcome.duplicates = planned.duplicates;
    outcome.unreadable = planned.unreadable;
  } else {
    const plan = batch.topic === deps.topics.products ? productCommands : batch.topic === deps.topics.inventory ? inventoryCommands : null;
    if (plan === null) throw new Error(`the pipeline does not consume ${batch.topic}`);
    commands = [];
    for (const m of fresh) {
      const planned = plan(m.key, m.value, keys);
      if (planned === null) outcome.unreadable++;
      else commands.push(...planned);
    }
  }

  const transaction = redis.multi();
  for (const command of commands) transaction.addCommand(command);
  transaction.addCommand(['SET', offsetKey, String(BigInt(last.offset) + 1n)]);
  await transaction.exec();
  return outcome;
}

async function planEvents(deps: ApplyDeps, messages: readonly BatchMessage[]): Promise<{ commands: RedisCommand[]; duplicates: number; unreadable: number; profiles: string[] }> {
  const { redis, keys } = deps;
  const read: ByUserEvent[] = [];
  let unreadable = 0;
  for (const m of messages) {
    const event = m.value === null ? null : readEvent(m.value);
    if (event === null) unreadable++;
    else read.push(event);
  }
  const marks = await watchErasureMarks(redis, deps.identityKeys, read.flatMap(idsOf));
  const events = read.filter((e) => !isErased(e, marks));
  if (events.length === 0) return { commands: [], duplicates: 0, unreadable, profiles: [] };

  const ids = [...new Set(events.map(dedupeIdOf))];
  const seenKeys = ids.map((id) => keys.seenEvent(id));
  await redis.watch(seenKeys);
  const seen = await redis.mGet(seenKeys);
  const counted = new Set(ids.filter((_, i) => seen[i] !== null));
  const fresh: ByUserEvent[] = [];
  for (const event of events) {
    const id = dedupeIdOf(event);
    if (counted.has(id)) continue;
    counted.add(id);
    fresh.push(event);
  }

  const categories = await catalogCategories(deps, fresh);
  const commands = eventCommands(fresh, { keys, seenTtlSeconds: deps.seenTtlSeconds, categoryOf: (id) => categories.get(id), experiments: deps.experiments ?? [] });
  return { commands, duplicates: events.length - fresh.length, unreadable, profiles: [...new Set(fresh.map(profileIdOf))] };
}

/** The catalog's category of each product the events name without one. */
async function catalogCategories(deps: ApplyDeps, events: readonly IngestedEvent[]): Promise<Map<string, string>> {
  const wanted = new Set<string>();
  for (const event of events) {
    for (const signal of productSignals(event)) if (signal.category === undefined) wanted.add(signal.productId);
  }
  const categories = new Map<string, string>();
  if (wanted.size === 0) return categories;
  const ids = [...wanted];
  const values = await deps.redis.hmGet(deps.keys.products, ids);
  ids.forEach((id, i) => {
    const value = values[i];
    const product = typeof value === 'string' ? parseCatalogEntry(value) : null;
    if (product) categories.set(id, product.category);
  });
  return categories;
}

/** An event record from the events topic, or null when it lacks what the pipeline keys state by. */
export function readEvent(value: string): IngestedEvent | null {
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    return null;
  }
  if (raw === null || typeof raw !== 'object') return null;
  const e = raw as Record<string, unknown>;
  const ok =
    typeof e['eventId'] === 'string' &&
    typeof e['anonymousId'] === 'string' &&
    typeof e['sessionId'] === 'string' &&
    typeof e['type'] === 'string' &&
    typeof e['timestamp'] === 'number' &&
    Number.isFinite(e['timestamp']);
  return ok ? (raw as IngestedEvent) : null;
}

/**
 * Applies one topic-partition batch to Redis exactly once in effect.
 *
 * - The batch's state changes and the partition's next offset are written by
 *   ONE script call (store/guarded-batch.ts), so Redis never holds changes
 *   without the offset that covers them, nor the reverse.
 * - Records below the stored offset are skipped: whatever Kafka re-delivers
 *   (a restart, a rebalance, a fetch that started before the seek to the stored
 *   offset landed) is applied once.
 * - The stored offset, the batch's erasure marks and its uncounted event ids
 *   are read, then guarded: if another writer (the partition's new owner after
 *   a rebalance, a zombie of the old one, an erasure, a duplicate counted on
 *   another partition) changed one of them before the script runs, it writes
 *   nothing and the batch is planned again from what is stored now.
 * - An event id already counted (an edge retry, a relay after a lost answer)
 *   is skipped. A guard instead of SET NX inside the batch, because the
 *   event's other changes depend on it.
 */
import type { IngestedEvent, Topics } from '@sessionflow/core';
import type { StateBounds } from '../store/bounds.js';
import { parseCatalogEntry } from '../catalog/schema.js';
import type { StoreClient } from '../store/client.js';
import type { StoreKeys } from '../store/keys.js';
import { eventCommands, inventoryCommands, productCommands, type RedisCommand } from './commands.js';
import { productSignals } from './signals.js';
import type { IdentityKeys } from '../store/identity-keys.js';
import { erasureTime, refsOf, isErased } from '../erasure/marked-events.js';
import type { ErasureMarks } from '../erasure/marks.js';
import { runGuardedBatch, untilGuardsHold, type Guard } from '../store/guarded-batch.js';
import { profileRefOf, seenKeyOf, type ByUserEvent } from './identity/records.js';
import { readByUserEvent } from './event-record.js';
import type { ExperimentSetup } from './experiments/config.js';
import { planSessionsBatch } from './baseline/apply.js';

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
  /** Profiles (refs) the batch changed, for their snapshots. */
  profiles?: string[];
}

export interface ApplyDeps {
  redis: StoreClient;
  keys: StoreKeys;
  topics: Pick<Topics, 'eventsByUser' | 'products' | 'inventory' | 'sessions'>;
  /** The identity graph's links (a closed session's device → its user, baseline/). */
  identityKeys: IdentityKeys;
  /** Erasure markers (../erasure/marked-events.ts): events of an erased person still in flight, or met again by a replay, change nothing. */
  marks: ErasureMarks;
  seenTtlSeconds: number;
  /** The experiments whose exposures and conversions are counted. */
  experiments?: readonly ExperimentSetup[];
  /** How long and how much state is kept (store/bounds.ts); the defaults when absent. */
  bounds?: StateBounds;
  /** Attempts when concurrent writers keep changing what the batch watched. */
  maxAttempts?: number;
}

export async function applyBatch(deps: ApplyDeps, batch: TopicBatch): Promise<BatchOutcome> {
  // Parsed once: a refused attempt plans again from what Redis holds, the records stay the same.
  const read = batch.topic === deps.topics.eventsByUser ? readEvents(batch.messages) : undefined;
  return untilGuardsHold(deps.maxAttempts ?? 5, () => attemptBatch(deps, batch, read));
}

interface ReadRecord {
  offset: bigint;
  event: ByUserEvent | null;
}

function readEvents(messages: readonly BatchMessage[]): ReadRecord[] {
  return messages.map((m) => ({ offset: BigInt(m.offset), event: m.value === null ? null : readByUserEvent(m.value) }));
}

/** One attempt: null when what it read changed before its script ran (nothing was written). */
async function attemptBatch(deps: ApplyDeps, batch: TopicBatch, read: readonly ReadRecord[] | undefined): Promise<BatchOutcome | null> {
  const { redis, keys } = deps;
  const offsetKey = keys.offset(batch.topic, batch.partition);
  let commands: RedisCommand[];
  const guards: Guard[] = [];
  let outcome: BatchOutcome;
  let lastOffset: bigint;

  if (read !== undefined) {
    const planned = await planEvents(deps, offsetKey, read);
    if (planned === null) return emptyOutcome(batch.messages.length);
    ({ commands, outcome, lastOffset } = planned);
    guards.push(...planned.guards);
  } else if (batch.topic === deps.topics.sessions) {
    const planned = await planSessionsBatch(deps, offsetKey, batch.messages);
    if (planned === null) return emptyOutcome(batch.messages.length);
    ({ commands, outcome, lastOffset } = planned);
    guards.push(...planned.guards);
  } else {
    const stored = await redis.get(offsetKey);
    guards.push({ key: offsetKey, expected: stored });
    const from = stored === null ? -1n : BigInt(stored);
    const fresh = batch.messages.filter((m) => BigInt(m.offset) >= from);
    outcome = { applied: fresh.length, replayed: batch.messages.length - fresh.length, duplicates: 0, unreadable: 0 };
    const last = fresh.at(-1);
    if (last === undefined) return outcome;
    lastOffset = BigInt(last.offset);
    const plan = batch.topic === deps.topics.products ? productCommands : batch.topic === deps.topics.inventory ? inventoryCommands : null;
    if (plan === null) throw new Error(`the pipeline does not consume ${batch.topic}`);
    commands = [];
    for (const m of fresh) {
      const planned = plan(m.key, m.value, keys);
      if (planned === null) outcome.unreadable++;
      else commands.push(...planned);
    }
  }

  commands.push(['SET', offsetKey, String(lastOffset + 1n)]);
  const result = await runGuardedBatch(redis, guards, commands);
  return result.applied ? outcome : null;
}

function emptyOutcome(replayed: number): BatchOutcome {
  return { applied: 0, replayed, duplicates: 0, unreadable: 0 };
}

interface PlannedEvents {
  commands: RedisCommand[];
  guards: Guard[];
  outcome: BatchOutcome;
  lastOffset: bigint;
}

/**
 * Reads in one round trip everything the plan depends on: the stored offset,
 * the erasure marks and counted ids of the batch's events, and the catalog's
 * categories. Records below the offset are read needlessly now and then (a
 * re-delivery), which costs less than a second round trip every time.
 */
async function planEvents(deps: ApplyDeps, offsetKey: string, records: readonly ReadRecord[]): Promise<PlannedEvents | null> {
  const { redis, keys } = deps;
  const events = records.flatMap((r) => (r.event === null ? [] : [r.event]));
  const markRefs = [...new Set(events.flatMap(refsOf))];
  const seenKeys = [...new Set(events.map((e) => seenKeyOf(e, keys)))];
  const wantedProducts = uncategorisedProducts(events);
  const [stored, markValues, seenValues, productValues] = await Promise.all([
    redis.get(offsetKey),
    markRefs.length === 0 ? [] : redis.mGet(markRefs.map((ref) => deps.marks.key(ref))),
    seenKeys.length === 0 ? [] : redis.mGet(seenKeys),
    wantedProducts.length === 0 ? [] : redis.hmGet(keys.products, wantedProducts),
  ]);

  const from = stored === null ? -1n : BigInt(stored);
  const fresh = records.filter((r) => r.offset >= from);
  const last = fresh.at(-1);
  if (last === undefined) return null;
  const outcome: BatchOutcome = { applied: fresh.length, replayed: records.length - fresh.length, duplicates: 0, unreadable: 0 };
  const guards: Guard[] = [{ key: offsetKey, expected: stored }];
  const readable = fresh.flatMap((r) => (r.event === null ? [] : [r.event]));
  outcome.unreadable = fresh.length - readable.length;

  const markValue = new Map(markRefs.map((ref, i) => [ref, markValues[i] ?? null]));
  const marks = new Map<string, number>();
  const guardedMarks = new Set<string>();
  for (const event of readable) {
    for (const ref of refsOf(event)) {
      if (guardedMarks.has(ref)) continue;
      guardedMarks.add(ref);
      const value = markValue.get(ref) ?? null;
      guards.push({ key: deps.marks.key(ref), expected: value });
      const at = erasureTime(value);
      if (at !== undefined) marks.set(ref, at);
    }
  }
  const live = readable.filter((e) => !isErased(e, marks));

  const seenValue = new Map(seenKeys.map((key, i) => [key, seenValues[i] ?? null]));
  const counted = new Set<string>();
  const unseen: ByUserEvent[] = [];
  for (const event of live) {
    const seenKey = seenKeyOf(event, keys);
    if (counted.has(seenKey)) continue;
    counted.add(seenKey);
    if (seenValue.get(seenKey) !== null) continue;
    // Counted by nobody yet: the script refuses the batch if another writer counts it first.
    guards.push({ key: seenKey, expected: null });
    unseen.push(event);
  }
  outcome.duplicates = live.length - unseen.length;

  const categories = new Map<string, string>();
  wantedProducts.forEach((id, i) => {
    const value = productValues[i];
    const product = typeof value === 'string' ? parseCatalogEntry(value) : null;
    if (product) categories.set(id, product.category);
  });
  const commands =
    unseen.length === 0
      ? []
      : eventCommands(unseen, { keys, seenTtlSeconds: deps.seenTtlSeconds, categoryOf: (id) => categories.get(id), experiments: deps.experiments ?? [], ...(deps.bounds === undefined ? {} : { bounds: deps.bounds }) });
  outcome.profiles = [...new Set(unseen.map(profileRefOf))];
  return { commands, guards, outcome, lastOffset: last.offset };
}

/** The products the events name without a category: the catalog's is looked up. */
function uncategorisedProducts(events: readonly IngestedEvent[]): string[] {
  const wanted = new Set<string>();
  for (const event of events) {
    for (const signal of productSignals(event)) if (signal.category === undefined) wanted.add(signal.productId);
  }
  return [...wanted];
}

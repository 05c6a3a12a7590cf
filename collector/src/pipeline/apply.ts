/**
 * Applies one topic-partition batch to Redis exactly once in effect.
 *
 * - The batch's state changes and the partition's next offset are written by
 *   ONE script call (store/guarded-batch.ts), so Redis never holds changes
 *   without the offset that covers them, nor the reverse.
 * - Records below the stored offset are skipped: whatever Kafka re-delivers
 *   (a restart, a rebalance, a fetch that started before the seek to the stored
 *   offset landed) is applied once.
 * - A by-user batch that begins past the stored offset is refused
 *   (./unapplied.ts): the store lost writes with their offset (a failover),
 *   and the partition goes back to the stored offset for Kafka to replay them.
 * - The stored offset, the batch's erasure marks and its uncounted event ids
 *   are read; the offset and the marks are guarded: if another writer (the
 *   partition's new owner after a rebalance, a zombie of the old one, an
 *   erasure) changed one of them before the script runs, it writes nothing
 *   and the batch is planned again from what is stored now. The event ids'
 *   keys are the partition's own and only its batches write them, each with
 *   the offset it guards: the offset's guard covers them.
 * - An event id already counted (an edge retry, a relay after a lost answer)
 *   is skipped. A guard instead of SET NX inside the batch, because the
 *   event's other changes depend on it.
 * - Everything a batch reads and writes is its partition's
 *   (../store/owner.ts): a record keyed by an id its partition does not own
 *   (the topic's partition count changed) stops the partition rather than
 *   write where no reader looks. Product categories are read from the
 *   products partitions that own them, outside the script: the catalog is
 *   reference data, and a category that arrives late only misses a signal.
 */
import type { IngestedEvent } from '@sessionflow/core';
import type { StateBounds } from '../store/bounds.js';
import { parseCatalogEntry } from '../catalog/schema.js';
import type { StoreClient } from '../store/client.js';
import { storeKeys, type StoreKeys } from '../store/keys.js';
import type { StateLayout } from '../store/layout.js';
import { OwnerMismatchError, type TopicOwners } from '../store/owner.js';
import { eventCommands, inventoryCommands, productCommands, type RedisCommand } from './commands.js';
import { productSignals } from './signals.js';
import { erasureTime, refsOf, isErased } from '../erasure/marked-events.js';
import type { ErasureMarks, MarkKeys } from '../erasure/marks.js';
import { runGuardedBatch, untilGuardsHold, type Guard } from '../store/guarded-batch.js';
import { profileRefOf, seenKeyOf, type ByUserEvent } from './identity/records.js';
import { readByUserEvent } from './event-record.js';
import type { ExperimentSetup } from './experiments/config.js';
import { isClosedSessionValue, readClosedSessionValue, type ClosedSession } from './baseline/closing.js';
import { marksToRead, planBaseline } from './baseline/plan.js';
import { unappliedRecords } from './unapplied.js';
import { assertNotRolledBack } from './applied-offsets.js';

export interface BatchMessage {
  offset: string;
  key: string | null;
  value: string | null;
}

export interface TopicBatch {
  topic: string;
  partition: number;
  messages: readonly BatchMessage[];
  /** The offset this process stored last for the partition, if it applied one since it got it: the store must be at least there (./applied-offsets.ts). */
  appliedUpTo?: bigint | undefined;
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
  /** The topics' partitions, and so which partition owns what (../store/layout.ts). */
  layout: StateLayout;
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
  const { topics, owners } = deps.layout;
  const scope: BatchScope = { topic: batch.topic, partition: batch.partition, appliedUpTo: batch.appliedUpTo, keys: storeKeys(deps.layout.prefix, batch.topic, batch.partition), marks: deps.marks.at(batch.topic, batch.partition) };
  if (batch.topic === topics.eventsByUser) {
    ownedHere(owners.eventsByUser, batch);
    // Parsed once: a refused attempt plans again from what Redis holds, the records stay the same.
    const read = readByUserRecords(batch.messages);
    return untilGuardsHold(deps.maxAttempts ?? 5, () => attemptByUser(deps, scope, read));
  }
  const reference = batch.topic === topics.products ? owners.products : batch.topic === topics.inventory ? owners.inventory : undefined;
  if (reference === undefined) throw new Error(`the pipeline's aggregates stage does not consume ${batch.topic}`);
  ownedHere(reference, batch);
  return untilGuardsHold(deps.maxAttempts ?? 5, () => attemptReference(deps, scope, batch));
}

/** The keys and marker keys of the batch's partition: all the batch may touch. */
interface BatchScope {
  topic: string;
  partition: number;
  appliedUpTo?: bigint | undefined;
  keys: StoreKeys;
  marks: MarkKeys;
}

/** Throws OwnerMismatchError when a keyed record is not its partition's. */
function ownedHere(owners: TopicOwners, batch: TopicBatch): void {
  for (const m of batch.messages) {
    if (m.key === null) continue;
    const owner = owners.of(m.key);
    if (owner !== batch.partition) throw new OwnerMismatchError(batch.topic, batch.partition, owner, owners.partitions);
  }
}

interface ReadRecord {
  offset: bigint;
  event: ByUserEvent | null;
  /** A closed session to add to its profile's baseline (baseline/closing.ts), instead of an event. */
  closed?: ClosedSession;
  /** A closed-session record the baseline takes nothing from (a closing without `activeMs`): applied, changing nothing. */
  ignored?: true;
}

function readByUserRecords(messages: readonly BatchMessage[]): ReadRecord[] {
  return messages.map((m) => {
    const offset = BigInt(m.offset);
    if (m.value === null) return { offset, event: null };
    if (isClosedSessionValue(m.value)) {
      const read = readClosedSessionValue(m.value);
      if (read.kind === 'closed') return { offset, event: null, closed: read.session };
      return read.kind === 'ignored' ? { offset, event: null, ignored: true } : { offset, event: null };
    }
    return { offset, event: readByUserEvent(m.value) };
  });
}

/** One attempt at a products or inventory batch: null when its offset moved before its script ran. */
async function attemptReference(deps: ApplyDeps, scope: BatchScope, batch: TopicBatch): Promise<BatchOutcome | null> {
  const { keys } = scope;
  const stored = await deps.redis.get(keys.offset);
  // Compacted topics have holes in their offsets: what is below the stored offset is skipped, a hole is no sign of loss; a store behind what this process stored is.
  assertNotRolledBack(stored, scope);
  const from = stored === null ? -1n : BigInt(stored);
  const fresh = batch.messages.filter((m) => BigInt(m.offset) >= from);
  const outcome: BatchOutcome = { applied: fresh.length, replayed: batch.messages.length - fresh.length, duplicates: 0, unreadable: 0 };
  const last = fresh.at(-1);
  if (last === undefined) return outcome;
  const plan = batch.topic === deps.layout.topics.products ? productCommands : inventoryCommands;
  const commands: RedisCommand[] = [];
  for (const m of fresh) {
    const planned = plan(m.key, m.value, keys);
    if (planned === null) outcome.unreadable++;
    else commands.push(...planned);
  }
  commands.push(['SET', keys.offset, String(BigInt(last.offset) + 1n)]);
  const result = await runGuardedBatch(deps.redis, [{ key: keys.offset, expected: stored }], commands);
  return result.applied ? outcome : null;
}

/** One attempt at a by-user batch: null when what it read changed before its script ran (nothing was written). */
async function attemptByUser(deps: ApplyDeps, scope: BatchScope, read: readonly ReadRecord[]): Promise<BatchOutcome | null> {
  const planned = await planByUser(deps, scope, read);
  if (planned === null) return emptyOutcome(read.length);
  const { commands, guards, outcome, lastOffset } = planned;
  commands.push(['SET', scope.keys.offset, String(lastOffset + 1n)]);
  const result = await runGuardedBatch(deps.redis, guards, commands);
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
 * the erasure marks and counted ids of the batch's events and closed
 * sessions, and the catalog's categories. Records below the offset are read
 * needlessly now and then (a re-delivery), which costs less than a second
 * round trip every time.
 */
async function planByUser(deps: ApplyDeps, scope: BatchScope, records: readonly ReadRecord[]): Promise<PlannedEvents | null> {
  const { redis } = deps;
  const { keys } = scope;
  const events = records.flatMap((r) => (r.event === null ? [] : [r.event]));
  const closedAll = records.flatMap((r) => (r.closed === undefined ? [] : [r.closed]));
  const markRefs = [...new Set([...events.flatMap(refsOf), ...marksToRead(closedAll)])];
  const seenKeys = [...new Set(events.map((e) => seenKeyOf(e, keys)))];
  const sessionIds = [...new Set(closedAll.map((s) => s.sessionId))];
  const wantedProducts = uncategorisedProducts(events);
  const [stored, markValues, seenValues, countedValues, categories] = await Promise.all([
    redis.get(keys.offset),
    redis.mGet(markRefs.map((ref) => scope.marks.key(ref))),
    redis.mGet(seenKeys),
    redis.mGet(sessionIds.map((id) => keys.baselineCounted(id))),
    catalogCategories(redis, deps.layout, wantedProducts),
  ]);

  const fresh = unappliedRecords(records, stored, scope);
  const last = fresh.at(-1);
  if (last === undefined) return null;
  const outcome: BatchOutcome = { applied: fresh.length, replayed: records.length - fresh.length, duplicates: 0, unreadable: 0 };
  const guards: Guard[] = [{ key: keys.offset, expected: stored }];
  const readable = fresh.flatMap((r) => (r.event === null ? [] : [r.event]));
  const closed = fresh.flatMap((r) => (r.closed === undefined ? [] : [r.closed]));
  outcome.unreadable = fresh.length - readable.length - closed.length - fresh.filter((r) => r.ignored === true).length;

  const markValue = new Map(markRefs.map((ref, i) => [ref, markValues[i] ?? null]));
  const marks = new Map<string, number>();
  const guardedMarks = new Set<string>();
  for (const event of readable) {
    for (const ref of refsOf(event)) {
      if (guardedMarks.has(ref)) continue;
      guardedMarks.add(ref);
      const value = markValue.get(ref) ?? null;
      guards.push({ key: scope.marks.key(ref), expected: value });
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
    // Counted by nobody yet. Not guarded one by one: the seen keys are this partition's, written only by its
    // batches, each with the offset it guards, so a writer that came in between moved the offset as well.
    unseen.push(event);
  }
  outcome.duplicates = live.length - unseen.length;

  const commands =
    unseen.length === 0
      ? []
      : eventCommands(unseen, { keys, seenTtlSeconds: deps.seenTtlSeconds, categoryOf: (id) => categories.get(id), experiments: deps.experiments ?? [], ...(deps.bounds === undefined ? {} : { bounds: deps.bounds }) });
  const profiles = new Set(unseen.map(profileRefOf));
  if (closed.length > 0) {
    const baseline = planBaseline(
      closed,
      { marks: markValue, counted: new Map(sessionIds.map((id, i) => [id, countedValues[i] ?? null])) },
      { keys, marks: scope.marks, seenTtlSeconds: deps.seenTtlSeconds, ...(deps.bounds === undefined ? {} : { bounds: deps.bounds }) },
    );
    commands.push(...baseline.commands);
    guards.push(...baseline.guards);
    outcome.duplicates += baseline.duplicates;
    for (const ref of baseline.profiles) profiles.add(ref);
  }
  outcome.profiles = [...profiles];
  return { commands, guards, outcome, lastOffset: last.offset };
}

/** The catalog's category of each product, read from the products partitions that own them. */
async function catalogCategories(redis: StoreClient, layout: StateLayout, productIds: readonly string[]): Promise<Map<string, string>> {
  const categories = new Map<string, string>();
  if (productIds.length === 0) return categories;
  const byPart = new Map<string, string[]>();
  for (const id of productIds) {
    const key = layout.product(id).products;
    const ids = byPart.get(key) ?? [];
    ids.push(id);
    byPart.set(key, ids);
  }
  await Promise.all(
    [...byPart].map(async ([key, ids]) => {
      const values = await redis.hmGet(key, ids);
      ids.forEach((id, i) => {
        const value = values[i];
        const product = typeof value === 'string' ? parseCatalogEntry(value) : null;
        if (product) categories.set(id, product.category);
      });
    }),
  );
  return categories;
}

/** The products the events name without a category: the catalog's is looked up. */
function uncategorisedProducts(events: readonly IngestedEvent[]): string[] {
  const wanted = new Set<string>();
  for (const event of events) {
    for (const signal of productSignals(event)) if (signal.category === undefined) wanted.add(signal.productId);
  }
  return [...wanted];
}

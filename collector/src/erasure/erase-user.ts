/**
 * Erasure of a user (`DELETE /v1/users/:userId`), in rounds until what it
 * erased covers everything Redis lists of the person:
 *
 * 1. who: the user's devices (its profile's device set) and the person's
 *    sessions (the profiles' session sets and the devices' session indexes),
 *    with those of an unfinished earlier erasure of the user;
 * 2. the edge first, for devices it was not told of yet: a failure stops here,
 *    before anything else changed, and Redis still lists every device for the
 *    retry;
 * 3. the markers to the `erasures` topic (acks=all), so they outlive Redis;
 * 4. the markers into Redis, in every partition that guards them, with the
 *    record of the devices and sessions as pending. From then on every stage
 *    drops this person's events ingested before the erasure, and refuses a
 *    batch it planned before the marker landed (its guard), so nothing of
 *    the person is written any more;
 * 5. who again: a device or session found only now (linked or recorded before
 *    the markers landed) starts another round, which tells the edge of it
 *    and marks it; otherwise the person's state is deleted, partition by
 *    partition (plan.ts), nothing of it being written meanwhile;
 * 6. tombstones in the compacted topics, then the pending record goes.
 *
 * The state is spread over partitions that may live on different Redis
 * shards, so no one transaction can hold it all; the markers make the order
 * safe instead. A failure part-way leaves the pending record, so a retry (the
 * route says to) still knows the devices and sessions Redis no longer lists,
 * deletes what is left and writes their tombstones. The snapshot and link
 * publishers check the markers after each send (identity/apply.ts,
 * identity/profile-snapshots.ts), and the sessions ticker finds a session's
 * hash gone (sessions/ticker.ts), for the same reason.
 */
import { userRef } from '@sessionflow/core';
import type { StoreClient } from '../store/client.js';
import type { StateLayout } from '../store/layout.js';
import type { KeyedRecord } from '../pipeline/identity/records.js';
import { runGuardedBatch } from '../store/guarded-batch.js';
import { EDGE_NOT_CONFIGURED, type EdgeEraser, type EdgeErasure } from './edge.js';
import type { ErasureMarks } from './marks.js';
import { sessionSourceKeys } from './other-stages.js';
import { covers, erasedRefs, erasureWrites, erasureMarkRecords, erasureTombstones, PENDING_ERASURE_TTL_MS, readPending, union, type ErasureTopics, type PendingErasure, type Person } from './plan.js';
import type { RedisCommand } from '../pipeline/commands.js';

export interface ErasureResult {
  userId: string;
  /** The user's mark: how the collector's log names this erasure. */
  mark: string;
  /** Epoch ms (collector clock): events ingested up to then are dropped wherever they still are. */
  erasedAt: number;
  /** The devices (anonymous ids) that were linked to the user or held its events. */
  anonymousIds: string[];
  /** Redis keys that existed and were deleted. */
  redisKeysRemoved: number;
  /** Keys of the tombstones written to each compacted topic (profiles: refs; identity: anonymous ids; sessions: session ids). */
  tombstones: { profiles: string[]; identity: string[]; sessions: string[] };
  /** What the edge erased, or why it was not asked. */
  edge: EdgeErasure;
}

export interface ErasureDeps {
  /** A connection of the erasure's own, so a long erasure does not hold up the read routes; the caller closes it. */
  redis: StoreClient;
  /** Which partition owns what (../store/layout.ts). */
  layout: StateLayout;
  marks: ErasureMarks;
  /** The keys of the configured experiments, whose unit hashes hold the person's entries. */
  experiments: readonly string[];
  topics: ErasureTopics;
  /** Resolves once Kafka acknowledged every record (acks=all). */
  send(records: readonly KeyedRecord[]): Promise<void>;
  /** Undefined when EDGE_URL is not set: the answer says the edge was not asked. */
  edge: EdgeEraser | undefined;
  /** How long a marker is in force (kafka/topic-bounds.ts, erasureMarkerLifeMs). */
  markerLifeMs: number;
  clock(): number;
  maxRounds?: number;
}

/** The person's devices and sessions kept growing round after round. */
export class ErasureContendedError extends Error {
  constructor(rounds: number) {
    super(`the person's devices and sessions kept growing during ${rounds} rounds; retry the erasure`);
    this.name = 'ErasureContendedError';
  }
}

export async function eraseUser(deps: ErasureDeps, userId: string): Promise<ErasureResult> {
  const { redis, marks } = deps;
  const pendingKey = marks.pendingKey(userRef(userId));
  const pending = readPending(await redis.get(pendingKey));
  const toldEdge = new Set<string>();
  const edge = { requests: 0, objectsErased: 0 };
  const maxRounds = deps.maxRounds ?? 5;
  const context = { layout: deps.layout, marks, markerLifeMs: deps.markerLifeMs, pendingTtlMs: PENDING_ERASURE_TTL_MS, others: { experiments: deps.experiments } };

  let person = await readPerson(deps, userId, pending);
  for (let round = 1; round <= maxRounds; round++) {
    const untold = person.anonymousIds.filter((id) => !toldEdge.has(id));
    if (deps.edge !== undefined && untold.length > 0) {
      const told = await deps.edge.erase(untold);
      edge.requests += told.requests;
      edge.objectsErased += told.objectsErased;
    }
    for (const id of untold) toldEdge.add(id);
    const erasedAt = deps.clock();
    await deps.send(erasureMarkRecords(person, erasedAt, deps.topics.erasures, marks));
    await runEach(redis, erasureWrites(person, erasedAt, context).markers);

    const now = await readPerson(deps, userId, pending);
    if (!covers(person, now)) {
      // Linked or recorded before the markers landed: the next round tells the edge and marks them first.
      person = { ...now, anonymousIds: union(person.anonymousIds, now.anonymousIds), sessionIds: union(person.sessionIds, now.sessionIds) };
      continue;
    }
    const writes = erasureWrites(now, erasedAt, context);
    const redisKeysRemoved = await redis.del(writes.deletes);
    await runEach(redis, writes.removals);

    const tombstones = erasureTombstones(now, deps.topics);
    await deps.send(tombstones);
    await redis.del([pendingKey]);
    return {
      userId,
      mark: marks.mark(userRef(userId)),
      erasedAt,
      anonymousIds: now.anonymousIds,
      redisKeysRemoved,
      tombstones: {
        profiles: tombstones.filter((t) => t.topic === deps.topics.profiles).map((t) => t.key),
        identity: tombstones.filter((t) => t.topic === deps.topics.identity).map((t) => t.key),
        sessions: tombstones.filter((t) => t.topic === deps.topics.sessions).map((t) => t.key),
      },
      edge: deps.edge === undefined ? EDGE_NOT_CONFIGURED : { reached: true, devices: toldEdge.size, ...edge },
    };
  }
  throw new ErasureContendedError(maxRounds);
}

/** Each group (one partition's commands) as one checked script, the groups side by side. */
async function runEach(redis: StoreClient, groups: readonly RedisCommand[][]): Promise<void> {
  await Promise.all(groups.map((commands) => runGuardedBatch(redis, [], commands)));
}

/** The person as Redis lists it now, with what an unfinished erasure recorded. */
async function readPerson(deps: ErasureDeps, userId: string, pending: PendingErasure): Promise<Person> {
  const { redis, layout } = deps;
  const user = userRef(userId);
  const held = await redis.sMembers(layout.profile(user).profileDevices(user));
  const anonymousIds = union(held, pending.anonymousIds);
  // Sorted sets of the most recently active sessions (store/bounds.ts); older sessions' state expires by itself.
  const refs = erasedRefs(userId, anonymousIds);
  const listed = await Promise.all(sessionSourceKeys(refs, anonymousIds, layout).map((key) => redis.zRange(key, 0, -1)));
  const sessionIds = union(...listed, pending.sessionIds);
  // A session's sequence is in the partition of whichever of the person's refs its records were applied under.
  const parts = [...new Set(refs.map((ref) => layout.owners.eventsByUser.of(ref)))].map((p) => layout.byUser(p));
  const items = await Promise.all(sessionIds.map(async (id) => union(...(await Promise.all(parts.map((keys) => redis.lRange(keys.recsSessionItems(id), 0, -1)))))));
  return { userId, anonymousIds, sessionIds, viewed: new Map(sessionIds.map((id, i) => [id, items[i] ?? []])) };
}

/**
 * Erasure of a user (`DELETE /v1/users/:userId`), in rounds until what it
 * erased covers everything Redis lists of the person:
 *
 * 1. who: the user's devices (its device set and its profile's) and the
 *    person's sessions (the profiles' session sets and the devices' session
 *    indexes), with those of an unfinished earlier erasure of the user;
 * 2. the edge first, for devices it was not told of yet: a failure stops here,
 *    before anything else changed, and Redis still lists every device for the
 *    retry;
 * 3. the markers to the `erasures` topic (acks=all), so they outlive Redis;
 * 4. Redis: the devices and sessions read again under WATCH; one found only
 *    now (linked meanwhile) starts another round, which tells the edge of it
 *    and marks it; otherwise ONE MULTI/EXEC sets the markers, deletes the
 *    person's state (plan.ts) and records the devices and sessions as pending;
 * 5. tombstones in the compacted topics, then the pending record goes.
 *
 * A failure after the transaction leaves the pending record, so a retry (the
 * route says to) still knows the devices and sessions Redis no longer lists,
 * and writes their tombstones. Markers are set in the same transaction as the
 * deletes and watched by the stages, so events of this person still in flight
 * are dropped instead of bringing the profile back; the snapshot and link
 * publishers check them after each send (identity/apply.ts,
 * identity/profile-snapshots.ts), and the sessions ticker finds a session's
 * hash gone (sessions/ticker.ts), for the same reason.
 */
import { userRef } from '@sessionflow/core';
import { WatchError } from 'redis';
import type { StoreClient } from '../store/client.js';
import type { IdentityKeys } from '../store/identity-keys.js';
import type { StoreKeys } from '../store/keys.js';
import type { SessionKeys } from '../pipeline/sessions/keys.js';
import type { KeyedRecord } from '../pipeline/identity/records.js';
import { EDGE_NOT_CONFIGURED, type EdgeEraser, type EdgeErasure } from './edge.js';
import type { ErasureMarks } from './marks.js';
import { sessionSourceKeys } from './other-stages.js';
import { covers, erasedRefs, erasureCommands, erasureMarkRecords, erasureTombstones, PENDING_ERASURE_TTL_MS, readPending, union, type ErasureTopics, type PendingErasure, type Person } from './plan.js';

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
  /** A connection of the erasure's own (WATCH belongs to the connection); the caller closes it. */
  redis: StoreClient;
  keys: StoreKeys;
  identityKeys: IdentityKeys;
  sessionKeys: SessionKeys;
  marks: ErasureMarks;
  /** The keys of the configured experiments, whose unit hashes hold the person's entries. */
  experiments: readonly string[];
  /** The sessions stage's open and due indexes of every partition of the events topic. */
  sessionIndexes(): Promise<string[]>;
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

/** The person's state kept changing under the erasure's WATCH round after round. */
export class ErasureContendedError extends Error {
  constructor(rounds: number) {
    super(`the person's state kept changing during ${rounds} rounds; retry the erasure`);
    this.name = 'ErasureContendedError';
  }
}

export async function eraseUser(deps: ErasureDeps, userId: string): Promise<ErasureResult> {
  const { redis, marks } = deps;
  const pendingKey = marks.pendingKey(userRef(userId));
  const pending = readPending(await redis.get(pendingKey));
  const sessionIndexes = await deps.sessionIndexes();
  const toldEdge = new Set<string>();
  const edge = { requests: 0, objectsErased: 0 };
  const maxRounds = deps.maxRounds ?? 5;

  for (let round = 1; round <= maxRounds; round++) {
    const person = await readPerson(deps, userId, pending);
    const untold = person.anonymousIds.filter((id) => !toldEdge.has(id));
    if (deps.edge !== undefined && untold.length > 0) {
      const told = await deps.edge.erase(untold);
      edge.requests += told.requests;
      edge.objectsErased += told.objectsErased;
    }
    for (const id of untold) toldEdge.add(id);
    const erasedAt = deps.clock();
    await deps.send(erasureMarkRecords(person, erasedAt, deps.topics.erasures, marks));

    await redis.watch(watchedKeys(deps, person));
    const now = await readPerson(deps, userId, pending);
    if (!covers(person, now)) {
      // Linked or recorded meanwhile: the next round tells the edge and marks them first.
      await redis.unwatch();
      continue;
    }
    const { commands, markers, deletes } = erasureCommands(now, erasedAt, {
      keys: deps.keys,
      identityKeys: deps.identityKeys,
      marks,
      markerLifeMs: deps.markerLifeMs,
      pendingTtlMs: PENDING_ERASURE_TTL_MS,
      others: { experiments: deps.experiments, sessionIndexes, sessionKeys: deps.sessionKeys },
    });
    const transaction = redis.multi();
    for (const command of commands) transaction.addCommand(command);
    let replies: unknown[];
    try {
      replies = await transaction.exec();
    } catch (error) {
      if (error instanceof WatchError) continue;
      throw error;
    }
    const redisKeysRemoved = replies.slice(markers, markers + deletes).reduce<number>((sum, reply) => sum + (typeof reply === 'number' ? reply : 0), 0);

    const tombstones = erasureTombstones(now, deps.topics);
    await deps.send(tombstones);
    await redis.del(pendingKey);
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

/** The person as Redis lists it now, with what an unfinished erasure recorded. */
async function readPerson(deps: ErasureDeps, userId: string, pending: PendingErasure): Promise<Person> {
  const { redis, keys, identityKeys, sessionKeys } = deps;
  const [linked, held] = await Promise.all([redis.sMembers(identityKeys.userDevices(userId)), redis.sMembers(keys.profileDevices(userRef(userId)))]);
  const anonymousIds = union(linked, held, pending.anonymousIds);
  // Sorted sets of the most recently active sessions (store/bounds.ts); older sessions' state expires by itself.
  const listed = await Promise.all(sessionSourceKeys(erasedRefs(userId, anonymousIds), anonymousIds, keys, sessionKeys).map((key) => redis.zRange(key, 0, -1)));
  const sessionIds = union(...listed, pending.sessionIds);
  const items = await Promise.all(sessionIds.map((id) => redis.lRange(keys.recsSessionItems(id), 0, -1)));
  return { userId, anonymousIds, sessionIds, viewed: new Map(sessionIds.map((id, i) => [id, union(items[i] ?? [])])) };
}

/** What the round read, watched: a change to any of it before the transaction refuses the transaction. */
function watchedKeys(deps: ErasureDeps, person: Person): string[] {
  const { keys, identityKeys, sessionKeys } = deps;
  return [
    identityKeys.userDevices(person.userId),
    keys.profileDevices(userRef(person.userId)),
    ...sessionSourceKeys(erasedRefs(person.userId, person.anonymousIds), person.anonymousIds, keys, sessionKeys),
    ...person.sessionIds.map((id) => keys.recsSessionItems(id)),
  ];
}

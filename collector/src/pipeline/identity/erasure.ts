/**
 * Erasure of a user (`DELETE /v1/users/:id`): what goes in Redis and in the
 * compacted topics, and the transaction that does it.
 *
 * - Redis, in ONE MULTI/EXEC: the erasure markers (erased.ts) of the user
 *   (`u:<user id>`) and of each of its devices (`a:<anonymous id>`), then
 *   every key of the user's profile, of each device's own (anonymous)
 *   profile, of the identity graph (links, the user's device set, the
 *   devices' prefixes), and what the other stages keep of the
 *   person (erasure-state.ts: live sessions, recommendation sessions, experiment
 *   units). The devices and the person's session ids are read under WATCH, so a
 *   device linked or a session recorded meanwhile refuses the transaction and
 *   they are read again.
 * - Kafka, after the transaction: tombstones (null values) for the user and each
 *   device in `sf.profiles` (snapshots are keyed by the profile's ref, which was
 *   the device's while it was anonymous), for each device in `sf.identity` and for
 *   each of the person's sessions in `sf.sessions`. Compaction then drops the
 *   earlier values.
 *
 * Markers are written first and watched by both stages, so events of this
 * person still in flight are dropped instead of bringing the profile back; the
 * snapshot and link publishers check them after each send (see
 * tombstoneErasedLinks, profile-snapshots.ts and the sessions ticker) for the
 * same reason.
 *
 * Everything is found from the user's ref: a crafted user id (`X:affinities`,
 * `{X}`) names keys of its own (store/key-parts.ts), never X's.
 */
import { deviceRef, userRef } from '@sessionflow/core';
import { WatchError } from 'redis';
import type { StoreClient } from '../../store/client.js';
import type { IdentityKeys } from '../../store/identity-keys.js';
import type { StoreKeys } from '../../store/keys.js';
import type { RedisCommand } from '../commands.js';
import type { SessionKeys } from '../sessions/keys.js';
import { ERASURE_MARKER_TTL_S } from './erased.js';
import { experimentUnitRemovals, otherStagesDeletes, sessionSourceKeys, type OtherStagesState } from './erasure-state.js';
import type { KeyedRecord } from './records.js';
import { profileKeysOf } from '../profiles/commands.js';

export interface ErasureResult {
  userId: string;
  /** The devices (anonymous ids) that were linked to the user or held its events. */
  anonymousIds: string[];
  /** Redis keys that existed and were deleted. */
  redisKeysRemoved: number;
  /** Keys of the tombstones written to each compacted topic (profiles: refs; identity: anonymous ids; sessions: session ids). */
  tombstones: { profiles: string[]; identity: string[]; sessions: string[] };
}

export interface ErasureTopics {
  identity: string;
  profiles: string;
  sessions: string;
}

/** The profiles an erasure of a user removes, by ref: the user's, then each device's own. */
export function erasedRefs(userId: string, anonymousIds: readonly string[]): string[] {
  return [userRef(userId), ...anonymousIds.map(deviceRef)];
}

/** The erasure's Redis commands: markers first, then the DELs (their replies count what was removed), then the index and experiment entries. */
export function erasureCommands(userId: string, anonymousIds: readonly string[], nowMs: number, keys: StoreKeys, identity: IdentityKeys, others?: OtherStagesState): { commands: RedisCommand[]; markers: number; deletes: number } {
  const refs = erasedRefs(userId, anonymousIds);
  const commands: RedisCommand[] = refs.map((ref) => ['SET', identity.erased(ref), String(nowMs), 'EX', String(ERASURE_MARKER_TTL_S)]);
  const dels: RedisCommand[] = [];
  for (const ref of refs) for (const key of profileKeysOf(ref, keys)) dels.push(['DEL', key]);
  dels.push(['DEL', identity.userDevices(userId)]);
  for (const anon of anonymousIds) dels.push(['DEL', identity.link(anon)], ['DEL', identity.prefixSession(anon)], ['DEL', identity.prefixEvents(anon)]);
  if (others !== undefined) dels.push(...otherStagesDeletes(anonymousIds, others, keys));
  commands.push(...dels, ['ZREM', keys.profilesUpdatedAt, ...refs]);
  if (others !== undefined) commands.push(...experimentUnitRemovals(refs, others, keys));
  return { commands, markers: refs.length, deletes: dels.length };
}

export function erasureTombstones(userId: string, anonymousIds: readonly string[], topics: ErasureTopics, sessionIds: readonly string[] = []): KeyedRecord[] {
  const profiles = erasedRefs(userId, anonymousIds);
  return [
    ...profiles.map((key): KeyedRecord => ({ topic: topics.profiles, key, value: null })),
    ...anonymousIds.map((key): KeyedRecord => ({ topic: topics.identity, key, value: null })),
    ...sessionIds.map((key): KeyedRecord => ({ topic: topics.sessions, key, value: null })),
  ];
}

export interface ErasureDeps {
  /** A connection of the erasure's own (WATCH belongs to the connection); the caller closes it. */
  redis: StoreClient;
  keys: StoreKeys;
  identityKeys: IdentityKeys;
  sessionKeys: SessionKeys;
  /** The keys of the configured experiments, whose unit hashes hold the person's entries. */
  experiments: readonly string[];
  topics: ErasureTopics;
  send(records: readonly KeyedRecord[]): Promise<void>;
  maxAttempts?: number;
}

export async function eraseUser(deps: ErasureDeps, userId: string, nowMs: number): Promise<ErasureResult> {
  const maxAttempts = deps.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      const { anonymousIds, sessionIds, redisKeysRemoved } = await eraseInRedis(deps, userId, nowMs);
      const tombstones = erasureTombstones(userId, anonymousIds, deps.topics, sessionIds);
      await deps.send(tombstones);
      return {
        userId,
        anonymousIds,
        redisKeysRemoved,
        tombstones: {
          profiles: tombstones.filter((t) => t.topic === deps.topics.profiles).map((t) => t.key),
          identity: tombstones.filter((t) => t.topic === deps.topics.identity).map((t) => t.key),
          sessions: tombstones.filter((t) => t.topic === deps.topics.sessions).map((t) => t.key),
        },
      };
    } catch (error) {
      if (!(error instanceof WatchError) || attempt >= maxAttempts) throw error;
    }
  }
}

async function eraseInRedis(deps: ErasureDeps, userId: string, nowMs: number): Promise<{ anonymousIds: string[]; sessionIds: string[]; redisKeysRemoved: number }> {
  const { redis, keys, identityKeys, sessionKeys } = deps;
  const devicesKeys = [identityKeys.userDevices(userId), keys.profileDevices(userRef(userId))];
  await redis.watch(devicesKeys);
  const [linked, held] = await Promise.all(devicesKeys.map((key) => redis.sMembers(key)));
  const anonymousIds = [...new Set([...(linked ?? []), ...(held ?? [])])].sort();
  const sources = sessionSourceKeys(erasedRefs(userId, anonymousIds), anonymousIds, keys, sessionKeys);
  await redis.watch(sources);
  // Sorted sets of the most recently active sessions (store/bounds.ts); older sessions' state expires by itself.
  const listed = await Promise.all(sources.map((key) => redis.zRange(key, 0, -1)));
  const sessionIds = [...new Set(listed.flat())].sort();
  const others = { sessionIds, experiments: deps.experiments, sessionKeys };
  const { commands, markers, deletes } = erasureCommands(userId, anonymousIds, nowMs, keys, identityKeys, others);
  const transaction = redis.multi();
  for (const command of commands) transaction.addCommand(command);
  const replies = await transaction.exec();
  const redisKeysRemoved = replies.slice(markers, markers + deletes).reduce<number>((sum, reply) => sum + (typeof reply === 'number' ? reply : 0), 0);
  return { anonymousIds, sessionIds, redisKeysRemoved };
}

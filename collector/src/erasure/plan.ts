/**
 * What an erasure of a user writes (pure; erase-user.ts runs it):
 *
 * - the markers (marks.ts) of the user (`u:<user id>`) and of each of its
 *   devices (`a:<anonymous id>`), as records of the `erasures` topic and as
 *   Redis keys living `markerLifeMs`, a copy in every partition whose stages
 *   guard them (store/layout.ts, markerScopes), with the record of what is
 *   still to be done (`pending`: the devices and sessions, for a retry after
 *   a failure);
 * - then, the state is spread over the partitions that own it: every key of
 *   the user's profile and of each device's own profile (their by-user
 *   partitions), of the identity graph (links and prefixes, the devices'
 *   events partitions) and what the other stages keep of the person
 *   (other-stages.ts), deleted; and the person's entries in keys shared with
 *   others removed, one script per partition (commands grouped by hash tag);
 * - tombstones (null values) for the user and each device in `profiles`
 *   (snapshots are keyed by the profile's ref, which was the device's while it
 *   was anonymous), for each device in `identity` and for each of the person's
 *   sessions in `sessions`. Compaction then drops the earlier values.
 *
 * Everything is found from the user's ref: a crafted user id (`X:affinities`,
 * `{X}`) names keys of its own (store/key-parts.ts), never X's.
 */
import { deviceRef, userRef } from '@sessionflow/core';
import type { StateLayout } from '../store/layout.js';
import { hashTagOf } from '../store/owner.js';
import type { RedisCommand } from '../pipeline/commands.js';
import type { KeyedRecord } from '../pipeline/identity/records.js';
import { profileKeysOf } from '../pipeline/profiles/commands.js';
import type { ErasureMarks } from './marks.js';
import { markRecords } from './marks-topic.js';
import { experimentUnitRemovals, otherStagesDeletes, sharedEntryRemovals, type OtherStagesState } from './other-stages.js';

/** The person an erasure removes, as found in Redis (and in the record of an unfinished erasure). */
export interface Person {
  userId: string;
  /** The devices (anonymous ids) linked to the user or holding its events, sorted. */
  anonymousIds: string[];
  /** The person's sessions, sorted. */
  sessionIds: string[];
  /** Session id → the products its recommendation sequence holds. */
  viewed: Map<string, string[]>;
}

export interface ErasureTopics {
  identity: string;
  profiles: string;
  sessions: string;
  erasures: string;
}

export interface ErasurePlanContext {
  layout: StateLayout;
  marks: ErasureMarks;
  /** How long a marker is in force (kafka/topic-bounds.ts, erasureMarkerLifeMs). */
  markerLifeMs: number;
  /** How long the record of an unfinished erasure is kept for a retry. */
  pendingTtlMs: number;
  others: Omit<OtherStagesState, 'sessionIds' | 'viewed'>;
}

/** How long the devices and sessions of an erasure that did not complete are kept, so that its retry forgets none. */
export const PENDING_ERASURE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** The profiles an erasure of a user removes, by ref: the user's, then each device's own. */
export function erasedRefs(userId: string, anonymousIds: readonly string[]): string[] {
  return [userRef(userId), ...anonymousIds.map(deviceRef)];
}

/** The `erasures` topic's records of the person's markers. */
export function erasureMarkRecords(person: Pick<Person, 'userId' | 'anonymousIds'>, erasedAt: number, topic: string, marks: Pick<ErasureMarks, 'mark'>): KeyedRecord[] {
  return markRecords(topic, erasedRefs(person.userId, person.anonymousIds).map((ref) => ({ mark: marks.mark(ref), erasedAt })));
}

/** What an erasure writes to Redis, in its order: markers and the pending record, then the deletes, then the removals. */
export interface ErasureWrites {
  /** SETs of the markers in every marker scope, and of the pending record: grouped by partition, one script each (slots). */
  markers: RedisCommand[][];
  /** Keys whose every value is the person's, deleted whole (of any partitions). */
  deletes: string[];
  /** The person's entries in keys shared with others, grouped by partition, one script each. */
  removals: RedisCommand[][];
}

export function erasureWrites(person: Person, erasedAt: number, ctx: ErasurePlanContext): ErasureWrites {
  const { layout, marks } = ctx;
  const { userId, anonymousIds } = person;
  const refs = erasedRefs(userId, anonymousIds);
  const markers: RedisCommand[] = [];
  for (const { topic, partition } of layout.markerScopes()) {
    const here = marks.at(topic, partition);
    for (const ref of refs) markers.push(['SET', here.key(ref), String(erasedAt), 'PX', String(ctx.markerLifeMs)]);
  }
  markers.push(['SET', marks.pendingKey(userRef(userId)), pendingValue(person), 'PX', String(ctx.pendingTtlMs)]);
  const others: OtherStagesState = { ...ctx.others, sessionIds: person.sessionIds, viewed: person.viewed };
  const deletes: string[] = [];
  for (const ref of refs) deletes.push(...profileKeysOf(ref, layout.profile(ref)));
  for (const anon of anonymousIds) {
    const identity = layout.deviceIdentity(anon);
    deletes.push(identity.link(anon), identity.prefixSession(anon), identity.prefixEvents(anon));
  }
  deletes.push(...otherStagesDeletes(refs, anonymousIds, others, layout));
  const removals: RedisCommand[] = [];
  for (const ref of refs) removals.push(['ZREM', layout.profile(ref).profilesUpdatedAt, ref]);
  removals.push(...sharedEntryRemovals(refs, others, layout), ...experimentUnitRemovals(refs, others, layout));
  return { markers: byPartition(markers), deletes: [...new Set(deletes)], removals: byPartition(removals) };
}

/** Commands grouped by the hash tag of their key, in their order within each group. */
export function byPartition(commands: readonly RedisCommand[]): RedisCommand[][] {
  const groups = new Map<string, RedisCommand[]>();
  for (const command of commands) {
    const tag = hashTagOf(command[1] ?? '');
    const group = groups.get(tag) ?? [];
    group.push(command);
    groups.set(tag, group);
  }
  return [...groups.values()];
}

export function erasureTombstones(person: Pick<Person, 'userId' | 'anonymousIds' | 'sessionIds'>, topics: Pick<ErasureTopics, 'profiles' | 'identity' | 'sessions'>): KeyedRecord[] {
  return [
    ...erasedRefs(person.userId, person.anonymousIds).map((key): KeyedRecord => ({ topic: topics.profiles, key, value: null })),
    ...person.anonymousIds.map((key): KeyedRecord => ({ topic: topics.identity, key, value: null })),
    ...person.sessionIds.map((key): KeyedRecord => ({ topic: topics.sessions, key, value: null })),
  ];
}

/** What a retry must not forget once Redis no longer lists it: the devices and sessions. */
export interface PendingErasure {
  anonymousIds: string[];
  sessionIds: string[];
}

export function pendingValue(person: Pick<Person, 'anonymousIds' | 'sessionIds'>): string {
  return JSON.stringify({ anonymousIds: person.anonymousIds, sessionIds: person.sessionIds });
}

/** The pending record as stored, or nothing to add when there is none (or it is unreadable). */
export function readPending(value: string | null): PendingErasure {
  const none = { anonymousIds: [], sessionIds: [] };
  if (value === null) return none;
  try {
    const parsed = JSON.parse(value) as Partial<Record<keyof PendingErasure, unknown>>;
    const strings = (list: unknown) => (Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : []);
    return { anonymousIds: strings(parsed.anonymousIds), sessionIds: strings(parsed.sessionIds) };
  } catch {
    return none;
  }
}

/** Sorted, without repeats. */
export function union(...lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())].sort();
}

/** True when everything `later` names (devices, sessions) is in `earlier`: what was told to the edge and marked covers it. */
export function covers(earlier: Pick<Person, 'anonymousIds' | 'sessionIds'>, later: Pick<Person, 'anonymousIds' | 'sessionIds'>): boolean {
  const devices = new Set(earlier.anonymousIds);
  const sessions = new Set(earlier.sessionIds);
  return later.anonymousIds.every((id) => devices.has(id)) && later.sessionIds.every((id) => sessions.has(id));
}

/**
 * A profile's own state changes for one batch, and its bounds (pure; tested
 * without Redis). A profile is named by its ref (`u:<user id>` or
 * `a:<anonymous id>`), and its keys (store/keys.ts) live and die together:
 *
 * - the script (script.ts) moves `updatedAt` forward and counts new sessions;
 * - the session set keeps the `profileSessionsKept` most recently active;
 * - `profiles:updated-at` (ref → latest event time) keeps the profiles updated
 *   within the anonymous quiet period, at most `recentProfilesKept`: an index
 *   of recent activity, never what a read depends on;
 * - every key of a touched profile expires after its quiet period (a user's,
 *   or a device's own, store/bounds.ts) from this batch on: activity refreshes
 *   the whole profile, so no part of it outlives the rest.
 */
import { parseProfileRef } from '@sessionflow/core';
import { profileTtlSeconds, type StateBounds } from '../../store/bounds.js';
import type { StoreKeys } from '../../store/keys.js';
import { PLANNER_SCRIPT, type RedisCommand } from '../commands.js';
import { PROFILE_FIELDS, PROFILE_SCRIPT } from './script.js';

/** What a batch did to one profile. */
export interface ProfileTouch {
  /** Epoch ms of its latest event in the batch (event time). */
  updatedAt: number;
  /** Session id → its latest event time in the batch (epoch ms). */
  sessions: Map<string, number>;
}

type ProfileKeys = Pick<StoreKeys, 'profile' | 'profileSessions' | 'profileAffinities' | 'profileRecentlyViewed' | 'profilePurchased' | 'profileDevices' | 'profileBaseline'>;

/** Every Redis key of one profile. */
export function profileKeysOf(ref: string, keys: ProfileKeys): string[] {
  return [keys.profile(ref), keys.profileSessions(ref), keys.profileAffinities(ref), keys.profileRecentlyViewed(ref), keys.profilePurchased(ref), keys.profileDevices(ref), keys.profileBaseline(ref)];
}

/** The script call, the user id, the session trims and the index entries of the profiles a batch touched. */
export function profileTouchCommands(touched: ReadonlyMap<string, ProfileTouch>, keys: StoreKeys, bounds: StateBounds): RedisCommand[] {
  if (touched.size === 0) return [];
  const args: string[] = [];
  const commands: RedisCommand[] = [];
  let latest = Number.NEGATIVE_INFINITY;
  for (const [ref, touch] of touched) {
    args.push(keys.profile(ref), keys.profileSessions(ref), String(touch.updatedAt), String(touch.sessions.size));
    for (const [sessionId, at] of touch.sessions) args.push(sessionId, String(at));
    latest = Math.max(latest, touch.updatedAt);
  }
  commands.push([PLANNER_SCRIPT, PROFILE_SCRIPT, ...args]);
  for (const [ref, touch] of touched) {
    const parsed = parseProfileRef(ref);
    // The user id is the ref's own: a device's profile never names a user, even one its device is linked to.
    if (parsed?.kind === 'user') commands.push(['HSET', keys.profile(ref), PROFILE_FIELDS.userId, parsed.id]);
    commands.push(['ZREMRANGEBYRANK', keys.profileSessions(ref), '0', String(-(bounds.profileSessionsKept + 1))]);
    commands.push(['ZADD', keys.profilesUpdatedAt, 'GT', String(touch.updatedAt), ref]);
  }
  // Event time, so a replay trims the same; after the ZADDs, so a batch never keeps more than the bound.
  commands.push(
    ['ZREMRANGEBYSCORE', keys.profilesUpdatedAt, '-inf', `(${latest - bounds.anonymousProfileTtlSeconds * 1000}`],
    ['ZREMRANGEBYRANK', keys.profilesUpdatedAt, '0', String(-(bounds.recentProfilesKept + 1))],
  );
  return commands;
}

/** Every key of the profile expires after its quiet period from now; issued after the batch's writes (EXPIRE on a key not created yet does nothing). */
export function profileExpiryCommands(ref: string, keys: ProfileKeys, bounds: StateBounds): RedisCommand[] {
  const ttl = String(profileTtlSeconds(ref, bounds));
  return profileKeysOf(ref, keys).map((key): RedisCommand => ['EXPIRE', key, ttl]);
}

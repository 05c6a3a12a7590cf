/**
 * Reading a profile out of Redis, shared by the read API and the profile
 * snapshots. A linked anonymous id is answered with its user's profile: the
 * caller asked about a person, and the device is one of theirs.
 */
import type { ProfileView } from '@sessionflow/core';
import type { StoreClient } from '../../store/client.js';
import { decayedAt } from '../../store/decay.js';
import type { IdentityKeys } from '../../store/identity-keys.js';
import type { StoreKeys } from '../../store/keys.js';
import { PROFILE_LIMITS } from '../commands.js';
import { readProfileBaseline } from '../baseline/view.js';

/** The profile stored under exactly `id` (a canonical id), or null. */
export async function readStoredProfile(redis: StoreClient, keys: StoreKeys, id: string, nowMs: number): Promise<ProfileView | null> {
  const [updatedAt, userId, sessions, affinities, recentlyViewed, purchased, devices, baseline] = await Promise.all([
    redis.zScore(keys.profilesUpdatedAt, id),
    redis.hGet(keys.profile(id), 'userId'),
    redis.sCard(keys.profileSessions(id)),
    redis.hGetAll(keys.profileAffinities(id)),
    redis.lRange(keys.profileRecentlyViewed(id), 0, PROFILE_LIMITS.recentlyViewed - 1),
    redis.lRange(keys.profilePurchased(id), 0, PROFILE_LIMITS.purchased - 1),
    redis.sMembers(keys.profileDevices(id)),
    readProfileBaseline(redis, keys, id),
  ]);
  if (updatedAt === null) return null;
  const decayed: Record<string, number> = {};
  for (const [category, stored] of Object.entries(affinities)) {
    const value = decayedAt(Number(stored), nowMs);
    if (Number.isFinite(value) && value > 0) decayed[category] = value;
  }
  return {
    kind: typeof userId === 'string' ? 'user' : 'device',
    id,
    ...(typeof userId === 'string' ? { userId } : {}),
    // A profile written before devices were recorded is its own one device.
    anonymousIds: devices.length > 0 ? [...devices].sort() : [id],
    sessions,
    affinities: decayed,
    recentlyViewed,
    purchased,
    ...(baseline !== undefined ? { baseline } : {}),
    updatedAt,
  };
}

/** The canonical id behind `id`: its user's when `id` is a linked device, else `id` itself (for readers keyed by visitor, e.g. recommendations). */
export async function canonicalIdOf(redis: StoreClient, identity: IdentityKeys, id: string): Promise<string> {
  return (await redis.get(identity.link(id))) ?? id;
}

/** The profile of the person behind `id`: the user's when `id` is a linked device and the user has one, else the one stored under `id`. */
export async function readPersonProfile(redis: StoreClient, keys: StoreKeys, identity: IdentityKeys, id: string, nowMs: number): Promise<ProfileView | null> {
  const userId = await canonicalIdOf(redis, identity, id);
  if (userId !== id) {
    const profile = await readStoredProfile(redis, keys, userId, nowMs);
    if (profile !== null) return profile;
  }
  return readStoredProfile(redis, keys, id, nowMs);
}

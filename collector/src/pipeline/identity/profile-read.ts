/**
 * Reading a profile out of Redis, shared by the read API and the profile
 * snapshots. A profile is named by its ref (`u:<user id>`: a user's, stitched
 * across the devices linked to them; `a:<anonymous id>`: a device's own, what
 * it did while anonymous). Nothing here follows a link from a device to its
 * user: a user's profile is read only by naming the user.
 */
import { parseProfileRef, type ProfileView } from '@sessionflow/core';
import type { StoreClient } from '../../store/client.js';
import { decayedAt } from '../../store/decay.js';
import type { StateLayout } from '../../store/layout.js';
import { PROFILE_LIMITS } from '../commands.js';
import { readProfileBaseline } from '../baseline/view.js';
import { PROFILE_FIELDS } from '../profiles/script.js';

/** The profile stored under exactly `ref`, or null (none, expired, erased, or not a ref). */
export async function readStoredProfile(redis: StoreClient, layout: StateLayout, ref: string, nowMs: number): Promise<ProfileView | null> {
  const whose = parseProfileRef(ref);
  if (whose === undefined) return null;
  // The by-user partition that owns the ref keeps all of the profile (../../store/owner.ts).
  const keys = layout.profile(ref);
  const [hash, affinities, recentlyViewed, purchased, devices, baseline] = await Promise.all([
    redis.hmGet(keys.profile(ref), [PROFILE_FIELDS.updatedAt, PROFILE_FIELDS.sessions]),
    redis.hGetAll(keys.profileAffinities(ref)),
    redis.lRange(keys.profileRecentlyViewed(ref), 0, PROFILE_LIMITS.recentlyViewed - 1),
    redis.lRange(keys.profilePurchased(ref), 0, PROFILE_LIMITS.purchased - 1),
    redis.sMembers(keys.profileDevices(ref)),
    readProfileBaseline(redis, keys, ref),
  ]);
  // The profile exists while its hash holds the time of its latest event (an expiry or an erasure takes it away).
  const updatedAt = Number(hash[0] ?? Number.NaN);
  if (!Number.isFinite(updatedAt)) return null;
  const sessions = Number(hash[1] ?? 0);
  const decayed: Record<string, number> = {};
  for (const [category, stored] of Object.entries(affinities)) {
    const value = decayedAt(Number(stored), nowMs);
    if (Number.isFinite(value) && value > 0) decayed[category] = value;
  }
  const anonymousIds = [...devices].sort();
  // A device's profile is its own one device, whether or not its set was written.
  if (whose.kind === 'device' && anonymousIds.length === 0) anonymousIds.push(whose.id);
  return {
    kind: whose.kind,
    id: whose.id,
    ...(whose.kind === 'user' ? { userId: whose.id } : {}),
    anonymousIds,
    sessions: Number.isSafeInteger(sessions) && sessions > 0 ? sessions : 0,
    affinities: decayed,
    recentlyViewed,
    purchased,
    ...(baseline !== undefined ? { baseline } : {}),
    updatedAt,
  };
}

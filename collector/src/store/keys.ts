/**
 * The Redis key layout of the online store, shared by the pipeline (writer)
 * and the read API (reader). Every key starts with the deployment's topic
 * prefix, so test runs and deployments sharing a Redis stay apart, and then
 * with the hash tag of the topic-partition that owns it (owner.ts): the keys
 * of one `storeKeys(prefix, topic, partition)` are all in one slot.
 *
 * What one partition owns: the profiles of the people (refs) the by-user
 * topic sends to it, their counted event ids and sessions; its part of the
 * global sums (popularity, experiment counts, funnel rollups, recommendation
 * links), which the read API adds up over every partition; of the products
 * and inventory topics, the products whose id it owns.
 *
 * A profile is named by its ref (`u:<user id>` or `a:<anonymous id>`, core's
 * `userRef` / `deviceRef`): `profile:u:X` and `profile:a:X` are two people,
 * and a user id `X:affinities` names `profile:u:X%3Aaffinities`, never X's
 * affinities. Every other id goes through `keyPart` (key-parts.ts).
 */
import { keyPart, refPart } from './key-parts.js';
import { partitionTag } from './owner.js';
import { experimentKeys, type ExperimentKeys } from './experiment-keys.js';
import { recsKeys, type RecsKeys } from './recs-keys.js';
import { rollupKeys, type RollupKeys } from './rollup-keys.js';

export interface StoreKeys extends ExperimentKeys, RollupKeys, RecsKeys {
  /** Hash (a products partition's): product id → product JSON (`CatalogProduct` without stock). */
  products: string;
  /** Hash (an inventory partition's): product id → `1` in stock, `0` out of stock. */
  inventory: string;
  /** Sorted set (a by-user partition's part): product id → weighted interactions, all categories. */
  popularity: string;
  /** Sorted set (a by-user partition's part): product id → weighted interactions within one category. */
  categoryPopularity(category: string): string;
  /** Sorted set (a by-user partition's part): profile ref → epoch ms of its latest event; the recently updated profiles (trimmed, see bounds.ts). */
  profilesUpdatedAt: string;
  /**
   * Hash of the profile (`ref`: `u:…` or `a:…`): `updatedAt` (epoch ms of its
   * latest event: the profile exists while this does), `sessions` (how many
   * sessions it counted), `userId` for a user's profile.
   */
  profile(ref: string): string;
  /** Sorted set: the profile's most recently active session ids → their latest activity (bounded, see bounds.ts). */
  profileSessions(ref: string): string;
  /** Hash: category → forward-decayed affinity (see pipeline/decay.ts). */
  profileAffinities(ref: string): string;
  /** List of product ids, most recent first. */
  profileRecentlyViewed(ref: string): string;
  /** List of product ids, most recent first. */
  profilePurchased(ref: string): string;
  /** Set of the anonymous ids (devices) whose events the profile holds. */
  profileDevices(ref: string): string;
  /**
   * Hash: integer sums over the profile's closed sessions, `sessions`, `events`,
   * `pageViews`, `activeMs`, from which the read API derives its engagement
   * baseline (means per session). Sums, so any cut of the batches gives the same.
   */
  profileBaseline(ref: string): string;
  /** String with an expiry: the closed session was counted in its profile's baseline (a closing snapshot may come again). */
  baselineCounted(sessionId: string): string;
  /** String: the aggregates stage's next offset to apply of this topic-partition, written with the state it covers. */
  offset: string;
  /**
   * String with an expiry: the event was counted; with `prefix`, its re-sent
   * copy under the user it turned out to be (identity/records.ts). The event
   * id is escaped, so no event id names another's prefix mark.
   */
  seenEvent(eventId: string, attribution?: 'prefix'): string;
}

/** The keys of the state `partition` of `topic` owns. */
export function storeKeys(prefix: string, topic: string, partition: number): StoreKeys {
  const p = `${prefix}:${partitionTag(topic, partition)}:`;
  return {
    products: `${p}products`,
    inventory: `${p}inventory`,
    popularity: `${p}popularity`,
    categoryPopularity: (category) => `${p}popularity:category:${keyPart(category)}`,
    profilesUpdatedAt: `${p}profiles:updated-at`,
    profile: (ref) => `${p}profile:${refPart(ref)}`,
    profileSessions: (ref) => `${p}profile:${refPart(ref)}:sessions`,
    profileAffinities: (ref) => `${p}profile:${refPart(ref)}:affinities`,
    profileRecentlyViewed: (ref) => `${p}profile:${refPart(ref)}:recently-viewed`,
    profilePurchased: (ref) => `${p}profile:${refPart(ref)}:purchased`,
    profileDevices: (ref) => `${p}profile:${refPart(ref)}:devices`,
    profileBaseline: (ref) => `${p}profile:${refPart(ref)}:baseline`,
    baselineCounted: (sessionId) => `${p}baseline:counted:${keyPart(sessionId)}`,
    offset: `${p}offset`,
    seenEvent: (eventId, attribution) => `${p}seen:${keyPart(eventId)}${attribution === 'prefix' ? ':prefix' : ''}`,
    ...experimentKeys(p),
    ...rollupKeys(p),
    ...recsKeys(p),
  };
}

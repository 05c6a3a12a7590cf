/**
 * The Redis key layout of the online store, shared by the pipeline (writer)
 * and the read API (reader). Every key starts with the deployment's topic
 * prefix, so test runs and deployments sharing a Redis stay apart.
 */
import { experimentKeys, type ExperimentKeys } from './experiment-keys.js';
import { recsKeys, type RecsKeys } from './recs-keys.js';
import { rollupKeys, type RollupKeys } from './rollup-keys.js';

export interface StoreKeys extends ExperimentKeys, RollupKeys, RecsKeys {
  /** Hash: product id → product JSON (`CatalogProduct` without stock). */
  products: string;
  /** Hash: product id → `1` in stock, `0` out of stock. */
  inventory: string;
  /** Sorted set: product id → weighted interactions, all categories. */
  popularity: string;
  /** Sorted set: product id → weighted interactions within one category. */
  categoryPopularity(category: string): string;
  /** Sorted set: profile id → epoch ms of its latest event; also the index of known profiles. */
  profilesUpdatedAt: string;
  /** Hash: `userId` of the profile (more fields as the profile grows). */
  profile(id: string): string;
  /** Set of the profile's session ids. */
  profileSessions(id: string): string;
  /** Hash: category → forward-decayed affinity (see pipeline/decay.ts). */
  profileAffinities(id: string): string;
  /** List of product ids, most recent first. */
  profileRecentlyViewed(id: string): string;
  /** List of product ids, most recent first. */
  profilePurchased(id: string): string;
  /** Set of the anonymous ids (devices) whose events the profile holds. */
  profileDevices(id: string): string;
  /**
   * Hash: integer sums over the profile's closed sessions, `sessions`, `events`,
   * `pageViews`, `activeMs`, from which the read API derives its engagement
   * baseline (means per session). Sums, so any cut of the batches gives the same.
   */
  profileBaseline(id: string): string;
  /** String with an expiry: the closed session was counted in its profile's baseline (a closing snapshot may come again). */
  baselineCounted(sessionId: string): string;
  /** String: the next offset to apply of one topic-partition, written with the state it covers. */
  offset(topic: string, partition: number): string;
  /** String with an expiry: the event id was counted. */
  seenEvent(eventId: string): string;
}

export function storeKeys(prefix: string): StoreKeys {
  const p = `${prefix}:`;
  return {
    products: `${p}products`,
    inventory: `${p}inventory`,
    popularity: `${p}popularity`,
    categoryPopularity: (category) => `${p}popularity:category:${category}`,
    profilesUpdatedAt: `${p}profiles:updated-at`,
    profile: (id) => `${p}profile:${id}`,
    profileSessions: (id) => `${p}profile:${id}:sessions`,
    profileAffinities: (id) => `${p}profile:${id}:affinities`,
    profileRecentlyViewed: (id) => `${p}profile:${id}:recently-viewed`,
    profilePurchased: (id) => `${p}profile:${id}:purchased`,
    profileDevices: (id) => `${p}profile:${id}:devices`,
    profileBaseline: (id) => `${p}profile:${id}:baseline`,
    baselineCounted: (sessionId) => `${p}baseline:counted:${sessionId}`,
    offset: (topic, partition) => `${p}offset:${topic}:${partition}`,
    seenEvent: (eventId) => `${p}seen:${eventId}`,
    ...experimentKeys(p),
    ...rollupKeys(p),
    ...recsKeys(p),
  };
}

/**
 * How long, and how much, the pipeline keeps: every key it writes has a bound
 * (a TTL, a trim, or a count instead of a set), so state follows traffic
 * instead of growing forever. The configurable ones are here, read once at
 * start-up (pipeline/bounds-config.ts); fixed ones sit beside their keys
 * (recs-keys.ts, rollups, the identity prefix). README.md, "State and its
 * bounds", lists every key with its bound.
 */
import { parseProfileRef } from '@sessionflow/core';
import { RECS_LIMITS } from './recs-keys.js';

export interface StateBounds {
  /** A device's own (anonymous) profile: every key of it expires after this long without activity. */
  readonly anonymousProfileTtlSeconds: number;
  /** A user's profile, and the identity graph's link and device set: expire after this long without activity. */
  readonly userProfileTtlSeconds: number;
  /**
   * Session ids a profile (and a device's session index) keeps, the most
   * recently active: enough to count each session once and for an erasure to
   * find them. Older sessions' state expires by itself (the session's hash
   * after `sessionTtlSeconds`, its recommendation keys after 30 days).
   */
  readonly profileSessionsKept: number;
  /** Entries of `profiles:updated-at`, the most recently updated kept. */
  readonly recentProfilesKept: number;
  /** Products each popularity sorted set keeps, the most popular; one that falls out starts from zero again. */
  readonly popularityKept: number;
  /** A category's popularity expires after this long without an interaction in it (categories come from events). */
  readonly categoryPopularityTtlSeconds: number;
  /** An experiment's counts and units expire after this long without an exposure or conversion. */
  readonly experimentTtlSeconds: number;
  /**
   * A session's live state (its hash, its index entries) after its last event,
   * until the ticker closes it; a closed one is kept for the dedupe window. A
   * device's anonymous prefix (identity stage) lives no longer than this either.
   */
  readonly sessionTtlSeconds: number;
  /** The recommendation model's keys (a session's items and time, a product's sessions) after their last write. */
  readonly recsTtlSeconds: number;
}

const DAY_S = 24 * 60 * 60;

export const DEFAULT_STATE_BOUNDS: StateBounds = Object.freeze({
  anonymousProfileTtlSeconds: 90 * DAY_S,
  // A year and a month: a customer who shops once a year keeps their profile.
  userProfileTtlSeconds: 395 * DAY_S,
  profileSessionsKept: 500,
  recentProfilesKept: 100_000,
  popularityKept: 1_000,
  categoryPopularityTtlSeconds: 30 * DAY_S,
  experimentTtlSeconds: 180 * DAY_S,
  sessionTtlSeconds: 7 * DAY_S,
  recsTtlSeconds: RECS_LIMITS.ttlSeconds,
});

/** The TTL of a profile's keys: a user's, or a device's own. */
export function profileTtlSeconds(ref: string, bounds: StateBounds): number {
  return parseProfileRef(ref)?.kind === 'user' ? bounds.userProfileTtlSeconds : bounds.anonymousProfileTtlSeconds;
}

/**
 * A device's session index lives as long as the longest-lived state kept per
 * session (the session's hash, the recommendation model's keys), so an
 * erasure of the device finds every session that still has state.
 */
export function deviceSessionsTtlSeconds(bounds: StateBounds): number {
  return Math.max(bounds.sessionTtlSeconds, bounds.recsTtlSeconds);
}

/**
 * The state's bounds (store/bounds.ts) from the environment, read once at
 * start-up with the rest of the pipeline's configuration. Every variable is
 * optional; a value out of range stops start-up naming the variable.
 */
import { integer, type Env } from '../config.js';
import { DEFAULT_STATE_BOUNDS, type StateBounds } from '../store/bounds.js';
import { RECS_MAX_N } from '../read/query.js';

const YEARS_10_S = 10 * 366 * 24 * 60 * 60;

/** What `/v1/recs` reads of a popularity set at most (n, the prefix, core's slack), with room to spare: a smaller top would starve it. */
export const MIN_POPULARITY_KEPT = 2 * (RECS_MAX_N + 60);

/** `sessionGapMs`: a session's state must outlive the gap after which the ticker closes it, or it would vanish before its closing snapshot. */
export function readStateBounds(env: Env, sessionGapMs: number): StateBounds {
  const d = DEFAULT_STATE_BOUNDS;
  const bounds: StateBounds = {
    anonymousProfileTtlSeconds: integer(env, 'PIPELINE_ANONYMOUS_PROFILE_TTL_S', d.anonymousProfileTtlSeconds, 1, YEARS_10_S),
    userProfileTtlSeconds: integer(env, 'PIPELINE_USER_PROFILE_TTL_S', d.userProfileTtlSeconds, 1, YEARS_10_S),
    profileSessionsKept: integer(env, 'PIPELINE_PROFILE_SESSIONS_KEPT', d.profileSessionsKept, 1, 100_000),
    recentProfilesKept: integer(env, 'PIPELINE_RECENT_PROFILES_KEPT', d.recentProfilesKept, 1, 100_000_000),
    popularityKept: integer(env, 'PIPELINE_POPULARITY_KEPT', d.popularityKept, MIN_POPULARITY_KEPT, 10_000_000),
    categoryPopularityTtlSeconds: integer(env, 'PIPELINE_CATEGORY_POPULARITY_TTL_S', d.categoryPopularityTtlSeconds, 1, YEARS_10_S),
    experimentTtlSeconds: integer(env, 'PIPELINE_EXPERIMENT_TTL_S', d.experimentTtlSeconds, 1, YEARS_10_S),
    sessionTtlSeconds: integer(env, 'PIPELINE_SESSION_TTL_S', d.sessionTtlSeconds, 1, YEARS_10_S),
    recsTtlSeconds: integer(env, 'PIPELINE_RECS_TTL_S', d.recsTtlSeconds, 1, YEARS_10_S),
  };
  if (bounds.sessionTtlSeconds * 1000 <= sessionGapMs) {
    throw new Error(`PIPELINE_SESSION_TTL_S must be longer than the session gap (PIPELINE_SESSION_GAP_MS = ${sessionGapMs} ms), or sessions would vanish before they close (got ${bounds.sessionTtlSeconds})`);
  }
  return bounds;
}

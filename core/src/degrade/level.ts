/**
 * The named levels a part moves through when it cannot keep up, best first.
 * Each level gives up one more expensive extra and keeps the data path whole:
 * at every level each event is still taken and relayed; only what the edge
 * decides with, and whether it decides at all, changes.
 */

export const LEVELS = ['full', 'popularity', 'live_only', 'data_only'] as const;

/**
 * - `full`: session-aware recommendations, profile reads, decisions.
 * - `popularity`: recommendations from popularity instead of session kNN (the
 *   pipeline is behind, so session recommendations would be stale).
 * - `live_only`: no profile reads either: decisions on the live session only.
 * - `data_only`: no decisions at all; the events are still taken and relayed.
 */
export type Level = (typeof LEVELS)[number];

/** What a level still allows the edge to do. */
export interface LevelAllows {
  sessionRecs: boolean;
  profileReads: boolean;
  decisions: boolean;
}

/** 0 for `full`, growing as the level sheds more. */
export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

export function isLevel(value: unknown): value is Level {
  return typeof value === 'string' && (LEVELS as readonly string[]).includes(value);
}

/** The level that sheds more of the two. */
export function worseLevel(a: Level, b: Level): Level {
  return levelRank(a) >= levelRank(b) ? a : b;
}

export function levelAllows(level: Level): LevelAllows {
  const rank = levelRank(level);
  return {
    sessionRecs: rank < levelRank('popularity'),
    profileReads: rank < levelRank('live_only'),
    decisions: rank < levelRank('data_only'),
  };
}

/** Shapes shared by the recommendation model's update, state and scoring. */

/** One session as the model keeps it: the items viewed, in order, and when it was last active. */
export interface SessionRecord {
  readonly items: readonly string[];
  /** Last activity, in ms (any epoch, as long as every time the model sees uses the same one). */
  readonly time: number;
}

export interface ScoredItem {
  readonly item: string;
  readonly score: number;
}

/** Where a recommended item came from, so callers can tell a learned answer from a fallback. */
export type RecsSource = 'session' | 'category' | 'popular';

export interface Recommendation extends ScoredItem {
  readonly source: RecsSource;
}

/**
 * What scoring reads of the model's state. An in-memory implementation serves the offline
 * evaluation and the tests; the pipeline's Redis-backed one can load what one scoring reads in
 * two pipelined round trips (the prefix items' session lists, then those sessions) and answer from
 * that snapshot, so scoring stays synchronous and pure.
 */
export interface RecsStateReader {
  /** Sessions that viewed `item`, the most recently linked first, at most `limit`. */
  sessionsWithItem(item: string, limit: number): readonly string[];
  session(id: string): SessionRecord | undefined;
  /** The most popular items, best first, at most `limit`; within `category` when given. */
  popular(limit: number, category?: string): readonly ScoredItem[];
}

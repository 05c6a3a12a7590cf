/**
 * What one `/v1/recs` call reads: the recommendation model's state, the visitor's profile, the
 * catalog, stock and popularity. Redis in production (redis-recs-store.ts), in memory in tests.
 * Each method is one command or one pipelined burst, and the caller issues the reads of a step
 * together, so a call costs a handful of round trips whatever the prefix.
 */
import type { ScoredItem, SessionRecord } from '@sessionflow/core';
import type { CatalogEntry } from '../../catalog/schema.js';

export interface RecsStore {
  /** Each session's items and last time, in the order asked; undefined when the state no longer holds it. Sessions met in `itemSessions`. */
  sessions(ids: readonly string[]): Promise<(SessionRecord | undefined)[]>;
  /** The visitor's open session; `profile` (its ref) is the person whose events it holds, when known. */
  openSession(id: string, profile?: string): Promise<SessionRecord | undefined>;
  /** Each session's last time, in the order asked; undefined when the state no longer holds it. */
  sessionTimes(ids: readonly string[]): Promise<(number | undefined)[]>;
  /** For each product, the sessions that viewed it, the most recent first, at most `limit`. */
  itemSessions(items: readonly string[], limit: number): Promise<string[][]>;
  /** The profile's recently viewed products, most recent first (`profile`: its ref, a user's or a device's own). */
  recentlyViewed(profile: string): Promise<string[]>;
  /** The profile's category affinities at `nowMs`. */
  affinities(profile: string, nowMs: number): Promise<Record<string, number>>;
  /** The catalog entries of the products the catalog describes. */
  products(ids: readonly string[]): Promise<Map<string, CatalogEntry>>;
  /** Stock of the products whose stock is known. */
  stock(ids: readonly string[]): Promise<Map<string, boolean>>;
  /** The most popular products, best first, at most `limit`; within `category` when given. */
  popular(limit: number, category?: string): Promise<ScoredItem[]>;
  /** Up to about `count` catalog product ids in no particular order, to fill with when too few were touched. */
  catalogIds(count: number): Promise<string[]>;
}

/**
 * Redis keys and bounds of the recommendation model's state (core/src/recs): each session's item
 * sequence and each item's recent sessions, written by the aggregates stage and read by
 * `/v1/recs`. Same prefix as store/keys.ts. Popularity is not here: the fallback reads the
 * aggregates' `popularity` sorted sets.
 */

import { keyPart } from './key-parts.js';

export interface RecsKeys {
  /** List: the product ids a session viewed, in order, the last `itemsPerSession` kept. */
  recsSessionItems(sessionId: string): string;
  /** String: epoch ms of the session's last view (its recency for the neighbours' decay). */
  recsSessionTime(sessionId: string): string;
  /** List: the sessions that viewed a product, the most recent viewer first, at most `sessionsPerItem`. */
  recsItemSessions(productId: string): string;
}

/** `p`: the deployment prefix with its colon, as keys.ts passes it. */
export function recsKeys(p: string): RecsKeys {
  return {
    recsSessionItems: (sessionId) => `${p}recs:session:${keyPart(sessionId)}:items`,
    recsSessionTime: (sessionId) => `${p}recs:session:${keyPart(sessionId)}:time`,
    recsItemSessions: (productId) => `${p}recs:item:${keyPart(productId)}:sessions`,
  };
}

/**
 * What bounds the state's memory: a session keeps at most 50 views (a longer one is a crawler or
 * an outlier, and scoring weighs the latest views most), a product at most 200 recent sessions (the
 * neighbour sample `/v1/recs` reads), and every key expires 30 days after its last write (by
 * default: `PIPELINE_RECS_TTL_S`, store/bounds.ts). With a 90-day recency half-life a 30-day-old
 * neighbour still votes at 0.79, so the expiry trades little quality for a state that shrinks by
 * itself when traffic does.
 */
export interface RecsLimits {
  readonly itemsPerSession: number;
  readonly sessionsPerItem: number;
  readonly ttlSeconds: number;
}

export const RECS_LIMITS: RecsLimits = Object.freeze({
  itemsPerSession: 50,
  sessionsPerItem: 200,
  ttlSeconds: 30 * 24 * 60 * 60,
});

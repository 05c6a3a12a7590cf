/**
 * Core's `RecsStateReader` over what one call loaded, so the scorer stays synchronous and pure.
 * Anything not loaded reads as absent: a session outside the loaded sample is simply not a
 * candidate, which is what core's sampling would have decided anyway.
 */
import type { RecsStateReader, ScoredItem, SessionRecord } from '@sessionflow/core';

export interface RecsSnapshot {
  readonly itemSessions: ReadonlyMap<string, readonly string[]>;
  readonly sessions: ReadonlyMap<string, SessionRecord>;
  readonly popular: readonly ScoredItem[];
  /** Popularity within one category, when the call has a category to fall back on. */
  readonly categoryPopular?: { readonly category: string; readonly items: readonly ScoredItem[] };
}

export function snapshotReader(snapshot: RecsSnapshot): RecsStateReader {
  return {
    sessionsWithItem: (item, limit) => (snapshot.itemSessions.get(item) ?? []).slice(0, limit),
    session: (id) => snapshot.sessions.get(id),
    popular: (limit, category) => {
      if (category === undefined) return snapshot.popular.slice(0, limit);
      return snapshot.categoryPopular?.category === category ? snapshot.categoryPopular.items.slice(0, limit) : [];
    },
  };
}

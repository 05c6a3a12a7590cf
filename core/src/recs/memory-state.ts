/**
 * The model's state in memory, as plain data, for the offline evaluation and the tests. The
 * pipeline keeps the same data in Redis; both apply the same `RecsChange`.
 */
import type { RecsChange } from './update.js';
import type { RecsStateReader, ScoredItem, SessionRecord } from './types.js';

export interface MemoryRecsState {
  /** item → sessions that viewed it, the most recently linked first, at most `sessionsPerItem`. */
  readonly itemSessions: Map<string, string[]>;
  readonly sessions: Map<string, { items: string[]; time: number }>;
  /** item → stored (forward-decayed) popularity. */
  readonly popularity: Map<string, number>;
  /** category → item → stored popularity. */
  readonly categoryPopularity: Map<string, Map<string, number>>;
  /** How many recent sessions each item keeps: the cap that bounds the state and a neighbour lookup. */
  readonly sessionsPerItem: number;
  /** Bumped by every change, so a reader knows when its cached popularity ranking is stale. */
  revision: number;
}

export function emptyRecsState(sessionsPerItem: number): MemoryRecsState {
  return {
    itemSessions: new Map(),
    sessions: new Map(),
    popularity: new Map(),
    categoryPopularity: new Map(),
    sessionsPerItem,
    revision: 0,
  };
}

/** Applies a change in place: the state is large, and copying it per view would cost more than the update. */
export function applyRecsChange(state: MemoryRecsState, change: RecsChange): void {
  state.revision += 1;
  const session = state.sessions.get(change.session);
  if (session === undefined) {
    state.sessions.set(change.session, { items: [...change.appendItems], time: change.time });
  } else {
    session.items.push(...change.appendItems);
    session.time = Math.max(session.time, change.time);
  }
  for (const item of change.linkItems) {
    const list = state.itemSessions.get(item);
    if (list === undefined) {
      state.itemSessions.set(item, [change.session]);
    } else {
      list.unshift(change.session);
      if (list.length > state.sessionsPerItem) list.length = state.sessionsPerItem;
    }
  }
  for (const { item, category, weight } of change.popularity) {
    state.popularity.set(item, (state.popularity.get(item) ?? 0) + weight);
    if (category !== undefined) {
      let byItem = state.categoryPopularity.get(category);
      if (byItem === undefined) state.categoryPopularity.set(category, (byItem = new Map()));
      byItem.set(item, (byItem.get(item) ?? 0) + weight);
    }
  }
}

/**
 * A reader over the state. Popularity rankings are sorted once per state version: a read right
 * after an update re-sorts, which suits replay (build, then score) and tests.
 */
export function memoryRecsReader(state: MemoryRecsState): RecsStateReader {
  const ranked = new Map<string, { revision: number; items: ScoredItem[] }>();
  const rank = (key: string, scores: Map<string, number> | undefined): ScoredItem[] => {
    if (scores === undefined) return [];
    const cached = ranked.get(key);
    if (cached !== undefined && cached.revision === state.revision) return cached.items;
    const items = [...scores].map(([item, score]) => ({ item, score })).sort(byScoreThenItem);
    ranked.set(key, { revision: state.revision, items });
    return items;
  };
  return {
    // The list itself when it is within the limit (the state's cap is usually the sample size): no copy per call.
    sessionsWithItem: (item, limit) => {
      const list = state.itemSessions.get(item);
      if (list === undefined) return [];
      return list.length <= limit ? list : list.slice(0, limit);
    },
    session: (id): SessionRecord | undefined => state.sessions.get(id),
    popular: (limit, category) =>
      category === undefined
        ? rank('', state.popularity).slice(0, limit)
        : rank(`c:${category}`, state.categoryPopularity.get(category)).slice(0, limit),
  };
}

/** Highest score first; ties by item id, so every ranking is deterministic. */
export function byScoreThenItem(a: ScoredItem, b: ScoredItem): number {
  return b.score - a.score || (a.item < b.item ? -1 : a.item > b.item ? 1 : 0);
}

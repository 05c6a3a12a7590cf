/**
 * The model's incremental update: one view (or one whole session) in, the change to the state
 * out. The change is plain data so that each store applies it its own way: the in-memory state
 * with `applyRecsChange`, Redis with an RPUSH of the session's items, an LPUSH + LTRIM per linked
 * item and a ZINCRBY per popularity increment, all in the transaction that commits the offsets.
 */
import { popularityIncrement, type PopularityOptions } from './popularity.js';

export interface ItemView {
  readonly session: string;
  readonly item: string;
  /** ms */
  readonly time: number;
  /** The product's category when known, for the per-category popularity the fallback reads. */
  readonly category?: string;
}

export interface PopularityIncrement {
  readonly item: string;
  readonly category?: string;
  readonly weight: number;
}

export interface RecsChange {
  readonly session: string;
  /** The session's last activity after this change. */
  readonly time: number;
  /** Items to append to the session's sequence, in order. */
  readonly appendItems: readonly string[];
  /**
   * Items this session views for the first time: each item's list of recent sessions gains the
   * session at its head. A repeat view changes the sequence but not these lists.
   */
  readonly linkItems: readonly string[];
  readonly popularity: readonly PopularityIncrement[];
}

/** The change one view makes, given the items the session had viewed before it (none for a new session). */
export function changeForView(
  previousItems: readonly string[] | undefined,
  view: ItemView,
  popularity: PopularityOptions,
): RecsChange {
  const seen = previousItems?.includes(view.item) ?? false;
  return {
    session: view.session,
    time: view.time,
    appendItems: [view.item],
    linkItems: seen ? [] : [view.item],
    popularity: [increment(view.item, view.time, view.category, popularity)],
  };
}

/** The change a whole session makes at once (replaying history, or a session that arrives complete). */
export function changeForSession(
  session: string,
  views: readonly { readonly item: string; readonly time: number; readonly category?: string }[],
  popularity: PopularityOptions,
): RecsChange {
  const linked = new Set<string>();
  let time = Number.NEGATIVE_INFINITY;
  for (const view of views) {
    linked.add(view.item);
    time = Math.max(time, view.time);
  }
  return {
    session,
    time,
    appendItems: views.map((v) => v.item),
    linkItems: [...linked],
    popularity: views.map((v) => increment(v.item, v.time, v.category, popularity)),
  };
}

function increment(item: string, time: number, category: string | undefined, options: PopularityOptions): PopularityIncrement {
  const weight = popularityIncrement(time, options);
  return category === undefined ? { item, weight } : { item, category, weight };
}

/**
 * `/v1/recs` from the model learned live: core's session-kNN `recommend` continues the visitor's
 * prefix (prefix.ts: the named profile's recently viewed products, then the open session's views) over a snapshot of the state, loaded in five steps whose reads go out
 * together: (1) the open session, the profile and the product on screen; (2) the sessions that
 * viewed the prefix's products, the prefix's catalog entries and overall popularity; (3) those
 * sessions' times, and popularity in the page's category; (4) the items of the most recent of them
 * (core's sample: nothing else is read); (5) catalog and stock of everything that could be offered.
 * A sixth step fills from the catalog when the store knows too few touched products.
 *
 * Never the product on screen, never one out of stock or of unknown stock, never one the catalog
 * does not describe (the item needs its name). `source` is `session` when the neighbours voted for
 * at least one item, else `popularity`.
 */
import { DEFAULT_RECS_OPTIONS, recommend, refOf, type RecsOptions, type RecsView, type SessionRecord } from '@sessionflow/core';
import type { CatalogEntry } from '../../catalog/schema.js';
import { RECS_LIMITS } from '../../store/recs-keys.js';
import { recsItems } from '../ranking.js';
import type { RecsQuery } from '../store.js';
import { recsPrefix } from './prefix.js';
import { snapshotReader } from './snapshot.js';
import type { RecsStore } from './store.js';

export interface OnlineRecsSettings {
  /** The longest prefix scored. */
  readonly prefixLength: number;
  /** How many of the profile's recently viewed products may precede the open session's views. */
  readonly profileItems: number;
  /** Catalog entries scanned to fill up when too few products have been touched. */
  readonly catalogFillScan: number;
  /** Core's scoring options; `n` comes from the query. */
  readonly scoring: RecsOptions;
}

export const ONLINE_RECS: OnlineRecsSettings = Object.freeze({
  // With core's e^(−2d) prefix weighting the 10th item from the end weighs e^(−18): nothing.
  prefixLength: 10,
  profileItems: 5,
  catalogFillScan: 500,
  // The sample is what the state keeps per product; the other options are the ones tuned offline.
  scoring: { ...DEFAULT_RECS_OPTIONS, sampleSize: RECS_LIMITS.sessionsPerItem },
});

/** What core's fallback reads beyond n (its FALLBACK_SLACK), so exclusions can be skipped. */
const POPULAR_SLACK = 50;

export async function sessionRecs(store: RecsStore, query: RecsQuery, nowMs: number, settings: OnlineRecsSettings = ONLINE_RECS): Promise<RecsView> {
  const { session, context, n } = query;
  // The profile named, by ref: a user's (every device of theirs) or a device's own, never a device's linked user's.
  const profile = query.profile === undefined ? undefined : refOf(query.profile);

  const [open, recentlyViewed, affinities, onScreen] = await Promise.all([
    session === undefined ? Promise.resolve(undefined) : store.openSession(session, profile),
    profile === undefined ? Promise.resolve([]) : store.recentlyViewed(profile),
    profile === undefined ? Promise.resolve({}) : store.affinities(profile, nowMs),
    context === undefined ? Promise.resolve(new Map<string, CatalogEntry>()) : store.products([context]),
  ]);
  const prefix = recsPrefix({
    sessionItems: open?.items ?? [],
    recentlyViewed,
    context,
    profileItems: settings.profileItems,
    maxLength: settings.prefixLength,
  });
  const prefixItems = [...new Set(prefix)];
  const depth = n + prefix.length + POPULAR_SLACK;

  const [lists, prefixCatalog, popular] = await Promise.all([
    store.itemSessions(prefixItems, settings.scoring.sampleSize),
    store.products(prefixItems.filter((item) => !onScreen.has(item))),
    store.popular(depth),
  ]);
  const last = prefix.at(-1);
  const category = last === undefined ? undefined : (onScreen.get(last) ?? prefixCatalog.get(last))?.category;
  const candidates = [...new Set(lists.flat())].filter((id) => id !== session);

  // Core samples the m most recent candidates: their times pick them, and only their items are loaded.
  const [times, categoryPopular] = await Promise.all([
    store.sessionTimes(candidates),
    category === undefined ? Promise.resolve([]) : store.popular(depth, category),
  ]);
  const sample = mostRecent(candidates, times, settings.scoring.sampleSize);
  const records = await store.sessions(sample);
  const sessions = new Map<string, SessionRecord>();
  sample.forEach((id, i) => {
    const record = records[i];
    if (record !== undefined) sessions.set(id, record);
  });

  const offerable = new Set<string>();
  for (const record of sessions.values()) for (const item of record.items) offerable.add(item);
  for (const { item } of [...popular, ...categoryPopular]) offerable.add(item);
  const ids = [...offerable];
  const [catalog, stock] = await Promise.all([store.products(ids), store.stock(ids)]);
  const allowed = (item: string) => item !== context && stock.get(item) === true && catalog.has(item);

  const itemSessions = new Map(prefixItems.map((item, i) => [item, lists[i] ?? []]));
  const reader = snapshotReader({ itemSessions, sessions, popular, ...(category === undefined ? {} : { categoryPopular: { category, items: categoryPopular } }) });
  const recommended = recommend(
    reader,
    prefix,
    {
      nowMs,
      ...(session === undefined ? {} : { session }),
      exclude: (item) => !allowed(item),
      categoryOf: (item) => catalog.get(item)?.category,
      affinities,
      ...(category === undefined ? {} : { category }),
    },
    { ...settings.scoring, n },
  );

  const chosen = recommended.map(({ item, score }) => ({ id: item, score }));
  let items = recsItems(chosen, catalog, stock, n, category);
  if (items.length < n) {
    const taken = new Set([...chosen.map((c) => c.id), ...(context === undefined ? [] : [context])]);
    const fill = (await store.catalogIds(settings.catalogFillScan)).filter((id) => !taken.has(id));
    const [fillCatalog, fillStock] = await Promise.all([store.products(fill), store.stock(fill)]);
    items = recsItems([...chosen, ...fill.map((id) => ({ id, score: 0 }))], new Map([...catalog, ...fillCatalog]), new Map([...stock, ...fillStock]), n, category);
  }
  const source = recommended.some((r) => r.source === 'session') ? 'session' : 'popularity';
  return { items, source, generatedAt: nowMs };
}

/** The `limit` most recent of the sessions still held, ordered as core's sampling orders them (time, then id). */
function mostRecent(ids: readonly string[], times: readonly (number | undefined)[], limit: number): string[] {
  const found: { id: string; time: number }[] = [];
  ids.forEach((id, i) => {
    const time = times[i];
    if (time !== undefined) found.push({ id, time });
  });
  found.sort((a, b) => b.time - a.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return found.slice(0, limit).map(({ id }) => id);
}

/** The model's incremental update, its in-memory state and its decayed popularity. */
import { describe, expect, it } from 'vitest';
import {
  applyRecsChange,
  changeForSession,
  changeForView,
  emptyRecsState,
  memoryRecsReader,
  popularityAt,
  popularityIncrement,
  UNDECAYED_POPULARITY,
  type ItemView,
  type PopularityOptions,
} from '../src/recs/index.js';

const DAY = 86_400_000;
const DAILY: PopularityOptions = { halfLifeMs: DAY, landmarkMs: 0 };

describe('changeForView', () => {
  const cases: { name: string; previous: string[] | undefined; view: ItemView; linkItems: string[]; weight: number }[] = [
    { name: 'a new session links its first item', previous: undefined, view: { session: 's', item: 'a', time: 5 }, linkItems: ['a'], weight: 1 },
    { name: 'a new item of a known session is linked', previous: ['a'], view: { session: 's', item: 'b', time: 6 }, linkItems: ['b'], weight: 1 },
    { name: 'a repeat view appends but does not link again', previous: ['a', 'b'], view: { session: 's', item: 'a', time: 7 }, linkItems: [], weight: 1 },
  ];
  it.each(cases)('$name', ({ previous, view, linkItems, weight }) => {
    const change = changeForView(previous, view, UNDECAYED_POPULARITY);
    expect(change).toEqual({ session: 's', time: view.time, appendItems: [view.item], linkItems, popularity: [{ item: view.item, weight }] });
  });

  it('carries the category to the popularity increment and decays by the view time', () => {
    const change = changeForView(undefined, { session: 's', item: 'a', time: 2 * DAY, category: 'K' }, DAILY);
    expect(change.popularity).toEqual([{ item: 'a', category: 'K', weight: 4 }]);
  });
});

describe('changeForSession', () => {
  it('links each distinct item once, in first-view order, and takes the last time', () => {
    const views = [{ item: 'b', time: 3 }, { item: 'a', time: 9 }, { item: 'b', time: 4 }];
    const change = changeForSession('s', views, UNDECAYED_POPULARITY);
    expect(change.appendItems).toEqual(['b', 'a', 'b']);
    expect(change.linkItems).toEqual(['b', 'a']);
    expect(change.time).toBe(9);
    expect(change.popularity.map((p) => p.weight)).toEqual([1, 1, 1]);
  });
});

describe('applyRecsChange', () => {
  it('keeps each item\'s sessions most recent first, capped', () => {
    const state = emptyRecsState(2);
    for (const [id, time] of [['s1', 1], ['s2', 2], ['s3', 3]] as const) {
      applyRecsChange(state, changeForSession(id, [{ item: 'a', time }], UNDECAYED_POPULARITY));
    }
    expect(memoryRecsReader(state).sessionsWithItem('a', 10)).toEqual(['s3', 's2']);
    expect(memoryRecsReader(state).sessionsWithItem('a', 1)).toEqual(['s3']);
    expect(memoryRecsReader(state).sessionsWithItem('unknown', 10)).toEqual([]);
  });

  it('gives the same state view by view as for the whole session at once', () => {
    const views: ItemView[] = [
      { session: 's1', item: 'a', time: 1, category: 'K' },
      { session: 's1', item: 'b', time: 2 },
      { session: 's2', item: 'b', time: 3 },
      { session: 's1', item: 'a', time: 4, category: 'K' },
    ];
    const byView = emptyRecsState(10);
    for (const view of views) {
      const previous = byView.sessions.get(view.session)?.items;
      applyRecsChange(byView, changeForView(previous, view, DAILY));
    }
    const bySession = emptyRecsState(10);
    for (const id of ['s1', 's2']) {
      applyRecsChange(bySession, changeForSession(id, views.filter((v) => v.session === id), DAILY));
    }
    expect(byView.sessions).toEqual(bySession.sessions);
    expect(byView.popularity).toEqual(bySession.popularity);
    expect(byView.categoryPopularity).toEqual(bySession.categoryPopularity);
    expect(byView.itemSessions).toEqual(bySession.itemSessions);
    expect(byView.itemSessions.get('b')).toEqual(['s2', 's1']);
    expect(byView.sessions.get('s1')).toEqual({ items: ['a', 'b', 'a'], time: 4 });
  });

  it('re-ranks popularity after a later change', () => {
    const state = emptyRecsState(10);
    const reader = memoryRecsReader(state);
    applyRecsChange(state, changeForSession('s1', [{ item: 'a', time: 1 }, { item: 'a', time: 2 }, { item: 'b', time: 3 }], UNDECAYED_POPULARITY));
    expect(reader.popular(5).map((p) => p.item)).toEqual(['a', 'b']);
    applyRecsChange(state, changeForSession('s2', [{ item: 'b', time: 4 }, { item: 'b', time: 5 }], UNDECAYED_POPULARITY));
    expect(reader.popular(5)).toEqual([{ item: 'b', score: 3 }, { item: 'a', score: 2 }]);
  });
});

describe('decayed popularity', () => {
  it('halves a view\'s weight every half-life, as forward decay', () => {
    expect(popularityIncrement(0, DAILY)).toBe(1);
    expect(popularityIncrement(DAY, DAILY)).toBe(2);
    expect(popularityIncrement(3 * DAY, DAILY)).toBe(8);
    // One view a day old (0.5) and one now (1), read at day 2.
    expect(popularityAt(popularityIncrement(DAY, DAILY) + popularityIncrement(2 * DAY, DAILY), 2 * DAY, DAILY)).toBe(1.5);
    expect(popularityIncrement(123, UNDECAYED_POPULARITY)).toBe(1);
  });

  it('lets one recent view outrank two old ones, where counting would not', () => {
    const rank = (options: PopularityOptions): string[] => {
      const state = emptyRecsState(10);
      applyRecsChange(state, changeForSession('old', [{ item: 'a', time: 0 }, { item: 'a', time: 0 }], options));
      applyRecsChange(state, changeForSession('new', [{ item: 'b', time: 2 * DAY }], options));
      return memoryRecsReader(state).popular(2).map((p) => p.item);
    };
    expect(rank(DAILY)).toEqual(['b', 'a']);
    expect(rank(UNDECAYED_POPULARITY)).toEqual(['a', 'b']);
  });
});

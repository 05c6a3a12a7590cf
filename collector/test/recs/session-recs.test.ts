import { describe, expect, it } from 'vitest';
import { parseRecsView } from '@sessionflow/core';
import { recsPrefix } from '../../src/read/recs/prefix.js';
import { sessionRecs } from '../../src/read/recs/session-recs.js';
import type { RecsQuery } from '../../src/read/store.js';
import { MemoryRecsStore } from './memory-recs-store.js';

const NOW = 1_750_000_000_000;

/** A shop where people who view A mostly go on to B, sometimes to C. */
function shop(): MemoryRecsStore {
  const store = new MemoryRecsStore().product('A', 'kitchen').product('B', 'kitchen').product('C', 'kitchen').product('D', 'garden').product('E', 'garden');
  for (let i = 0; i < 4; i++) store.session(`ab-${i}`, ['A', 'B'], NOW - 60_000 + i);
  store.session('ac-0', ['A', 'C'], NOW - 50_000);
  for (let i = 0; i < 6; i++) store.session(`de-${i}`, ['D', 'E', 'D'], NOW - 40_000 + i);
  return store;
}

async function recs(store: MemoryRecsStore, query: Partial<RecsQuery>) {
  const view = await sessionRecs(store, { n: 3, ...query }, NOW);
  const parsed = parseRecsView(view);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return { ids: view.items.map((i) => i.id), source: view.source, items: view.items };
}

describe('sessionRecs', () => {
  it('continues a new session on A with what sessions that viewed A viewed next, B first', async () => {
    const answer = await recs(shop(), { session: 'new', context: 'A' });
    expect(answer.source).toBe('session');
    expect(answer.ids[0]).toBe('B');
    expect(answer.ids).toContain('C');
    expect(answer.ids).not.toContain('A');
    expect(answer.items[0]).toMatchObject({ id: 'B', name: 'Product B', category: 'kitchen', href: '/p/B', price: '€1.00' });
  });

  it("uses the open session's own views as the prefix, and never the session as its own neighbour", async () => {
    const store = shop().session('open', ['D'], NOW - 1_000);
    const answer = await recs(store, { session: 'open' });
    expect(answer.source).toBe('session');
    // Core offers the prefix's own products again (most next views repeat one); only the product on screen never.
    expect(answer.ids.slice(0, 2)).toEqual(['D', 'E']);
    expect((await recs(store, { session: 'open', context: 'D' })).ids[0]).toBe('E');
    // Only the open session viewed Q and R: were it its own neighbour, they would be voted for.
    store.product('Q', 'toys').product('R', 'toys').session('alone', ['Q', 'R'], NOW - 500);
    expect((await recs(store, { session: 'alone' })).source).toBe('popularity');
  });

  it('never offers a product out of stock or of unknown stock, even the one that co-occurs most', async () => {
    const store = shop();
    store.inStock.set('B', false);
    store.inStock.delete('C');
    const answer = await recs(store, { session: 'new', context: 'A', n: 5 });
    expect(answer.ids).not.toContain('B');
    expect(answer.ids).not.toContain('C');
    expect(answer.ids).not.toContain('A');
  });

  it('fills n from popularity in the category, then overall, then the untouched catalog, and says popularity when no session voted', async () => {
    const store = shop().product('G', 'kitchen').product('H', 'toys');
    const answer = await recs(store, { context: 'G', n: 7 });
    expect(answer.source).toBe('popularity');
    // Kitchen by views (A 5, B 4, C 1), then overall (D 12, E 6), then the untouched catalog.
    expect(answer.ids).toEqual(['A', 'B', 'C', 'D', 'E', 'H']);
    expect((await recs(store, { context: 'G', n: 4 })).ids).toEqual(['A', 'B', 'C', 'D']);
    // Every product but the one on screen: voted, then the category, overall, the catalog (its category first).
    const full = await recs(store, { session: 'new', context: 'A', n: 7 });
    expect(full.source).toBe('session');
    expect(full.ids).toEqual(['B', 'C', 'D', 'E', 'G', 'H']);
  });

  it("continues a session with no views yet from the profile's views on another device", async () => {
    const store = shop();
    const before = await recs(store, { profile: { kind: 'user', id: 'user-1' }, session: 'fresh-device' });
    expect(before.source).toBe('popularity');
    store.recent.set('u:user-1', ['A']);
    const after = await recs(store, { profile: { kind: 'user', id: 'user-1' }, session: 'fresh-device' });
    expect(after.source).toBe('session');
    // A, viewed on the other device, to come back to; then what viewers of A went on to.
    expect(after.ids.slice(0, 2)).toEqual(['A', 'B']);
    expect(after.ids).not.toEqual(before.ids);
    // A device's recommendations read the device's own profile, never a user's that reads alike.
    expect((await recs(store, { profile: { kind: 'device', id: 'user-1' }, session: 'fresh-device' })).source).toBe('popularity');
  });

  it("nudges the neighbours' votes towards the profile's categories", async () => {
    const store = shop().product('K', 'toys');
    // After X, neighbours went to kitchen's C and to toys' K equally often.
    store.product('X', 'misc').session('xc', ['X', 'C'], NOW - 1_000).session('xk', ['X', 'K'], NOW - 1_000);
    store.affinity.set('a:kid', { toys: 5, kitchen: 1 });
    store.affinity.set('u:cook', { kitchen: 5 });
    expect((await recs(store, { profile: { kind: 'device', id: 'kid' }, context: 'X' })).ids[0]).toBe('K');
    expect((await recs(store, { profile: { kind: 'user', id: 'cook' }, context: 'X' })).ids[0]).toBe('C');
  });
});

describe('recsPrefix', () => {
  it("puts the profile's other views first (oldest first), then the session's, then the product on screen", () => {
    expect(recsPrefix({ sessionItems: ['S1', 'S2'], recentlyViewed: ['S2', 'P1', 'P2', 'C'], context: 'C', profileItems: 5, maxLength: 10 })).toEqual(['P2', 'P1', 'S1', 'S2', 'C']);
  });

  it('does not repeat the product on screen when the session just viewed it, and keeps only the latest items', () => {
    expect(recsPrefix({ sessionItems: ['S1', 'C'], recentlyViewed: [], context: 'C', profileItems: 5, maxLength: 10 })).toEqual(['S1', 'C']);
    expect(recsPrefix({ sessionItems: ['S1', 'S2', 'S3'], recentlyViewed: ['P1', 'P2', 'P3'], profileItems: 2, maxLength: 4 })).toEqual(['P1', 'S1', 'S2', 'S3']);
  });
});

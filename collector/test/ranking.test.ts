import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../src/catalog/schema.js';
import { popularityCandidates, recsItems } from '../src/read/ranking.js';
import { AFFINITY_HALF_LIFE_MS, decayedAt, forwardDecayed } from '../src/store/decay.js';

const product = (id: string, category: string): CatalogEntry => ({ id, name: `Product ${id}`, category, price: '€1' });
const catalog = new Map(
  [product('a', 'kitchen'), product('b', 'kitchen'), product('c', 'garden'), product('d', 'garden'), product('e', 'kitchen'), product('f', 'garden')].map(
    (p) => [p.id, p] as const,
  ),
);
const allInStock = new Map([...catalog.keys()].map((id) => [id, true] as const));

describe('popularity recommendations', () => {
  it('puts the context category first, then the rest by popularity, never the context product', () => {
    const candidates = popularityCandidates({
      inCategory: [{ id: 'a', score: 4 }, { id: 'b', score: 2 }],
      overall: [{ id: 'c', score: 9 }, { id: 'a', score: 4 }, { id: 'b', score: 2 }, { id: 'd', score: 1 }],
      catalogFill: [],
      contextId: 'a',
      contextCategory: 'kitchen',
      n: 10,
    });
    expect(candidates.map((c) => c.id)).toEqual(['b', 'c', 'd']);
    expect(recsItems(candidates, catalog, allInStock, 10, 'kitchen').map((i) => [i.id, i.score])).toEqual([['b', 2], ['c', 9], ['d', 1]]);
  });

  it('leaves out products out of stock, of unknown stock, or unknown to the catalog', () => {
    const candidates = popularityCandidates({
      inCategory: [],
      overall: [{ id: 'c', score: 9 }, { id: 'ghost', score: 8 }, { id: 'a', score: 4 }, { id: 'b', score: 2 }],
      catalogFill: [],
      n: 10,
    });
    const stock = new Map([['c', false], ['a', true], ['ghost', true]]);
    expect(recsItems(candidates, catalog, stock, 10).map((i) => i.id)).toEqual(['a']);
  });

  it('fills up with untouched catalog products, the context category first, and stops at n', () => {
    const candidates = popularityCandidates({
      inCategory: [],
      overall: [{ id: 'c', score: 3 }],
      catalogFill: ['f', 'e', 'd', 'b', 'c', 'a'],
      contextId: 'a',
      contextCategory: 'kitchen',
      n: 4,
    });
    const items = recsItems(candidates, catalog, allInStock, 4, 'kitchen');
    expect(items.map((i) => [i.id, i.score])).toEqual([['c', 3], ['b', 0], ['e', 0], ['d', 0]]);
    expect(items[0]).toEqual({ id: 'c', name: 'Product c', category: 'garden', price: '€1', score: 3 });
  });
});

describe('forward decay', () => {
  it('gives back the weight at the moment of the interaction and halves it every half-life', () => {
    const at = Date.UTC(2026, 5, 1);
    const stored = forwardDecayed(3, at);
    expect(decayedAt(stored, at)).toBeCloseTo(3, 9);
    expect(decayedAt(stored, at + AFFINITY_HALF_LIFE_MS)).toBeCloseTo(1.5, 9);
    expect(decayedAt(stored + forwardDecayed(1, at + AFFINITY_HALF_LIFE_MS), at + AFFINITY_HALF_LIFE_MS)).toBeCloseTo(2.5, 9);
  });
});

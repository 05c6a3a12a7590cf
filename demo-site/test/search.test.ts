import { describe, expect, it } from 'vitest';
import type { Product } from '../src/catalog/products.js';
import { MAX_QUERY_LENGTH, normalizeQuery, searchProducts } from '../src/catalog/search.js';

const product = (id: string, name: string, category: Product['category'], inStock = true, blurb = ''): Product => ({
  id,
  name,
  category,
  blurb,
  inStock,
  stock: inStock ? 3 : 0,
  priceCents: 1000,
  artwork: 'chair',
  hue: 10,
});

const CATALOG = [
  product('a', 'Oak Lounge Chair', 'furniture'),
  product('b', 'Linen Table Lamp', 'lighting', true, 'Warm light for an oak desk.'),
  product('c', 'Oak Side Table', 'furniture', false),
  product('d', 'Café Mug', 'kitchen'),
  product('e', 'Oak Stool', 'furniture'),
];

const ids = (query: string) => searchProducts(CATALOG, query).map((p) => p.id);

describe('searchProducts', () => {
  it('matches every word of the query at the start of a word, case aside', () => {
    expect(ids('OAK ch')).toEqual(['a']);
    expect(ids('lamp')).toEqual(['b']);
    expect(ids('ak')).toEqual([]);
  });

  it('ranks a match in the name above one in the description, then in-stock products, then the catalog order', () => {
    expect(ids('oak')).toEqual(['a', 'e', 'c', 'b']);
  });

  it('finds by category name and ignores accents', () => {
    expect(ids('kitchen')).toEqual(['d']);
    expect(ids('cafe')).toEqual(['d']);
  });

  it('finds nothing for an empty query or only punctuation', () => {
    expect(ids('')).toEqual([]);
    expect(ids('  --  ')).toEqual([]);
  });

  it('normalizes the query: trimmed, single spaces, cut to the limit', () => {
    expect(normalizeQuery('  oak \n  chair ')).toBe('oak chair');
    expect(normalizeQuery('x'.repeat(500))).toHaveLength(MAX_QUERY_LENGTH);
  });
});

/**
 * The shop's search: every word of the query must start a word of the
 * product's name, category or description (so "oak ch" finds "Oak Lounge
 * Chair"); a match in the name ranks above one elsewhere, then in-stock
 * products, then the catalog's order. Case and accents do not matter.
 */
import { categoryNamed } from './categories.js';
import type { Product } from './products.js';

/** Longer queries are cut: nobody types more, and each word costs a pass. */
export const MAX_QUERY_LENGTH = 100;

const words = (text: string): string[] =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');

/** The query as the shop uses it: trimmed, whitespace collapsed, at most MAX_QUERY_LENGTH characters. */
export const normalizeQuery = (query: string): string => query.replace(/\s+/g, ' ').trim().slice(0, MAX_QUERY_LENGTH);

export function searchProducts(products: readonly Product[], query: string): Product[] {
  const terms = words(normalizeQuery(query));
  if (terms.length === 0) return [];
  const scored: Array<{ product: Product; score: number; index: number }> = [];
  products.forEach((product, index) => {
    const name = words(product.name);
    const rest = [...words(categoryNamed(product.category)?.name ?? product.category), ...words(product.blurb)];
    let score = 0;
    for (const term of terms) {
      if (name.some((w) => w.startsWith(term))) score += 2;
      else if (rest.some((w) => w.startsWith(term))) score += 1;
      else return;
    }
    scored.push({ product, score: score + (product.inStock ? 0.5 : 0), index });
  });
  return scored.sort((a, b) => b.score - a.score || a.index - b.index).map((s) => s.product);
}

/**
 * Popularity recommendations as a pure function of what the store holds: the
 * context product's category first (its popular products, best first), then
 * the rest by overall popularity, then catalog products no one has touched
 * yet (score 0), so a new shop still gets recommendations. Never the context
 * product, never a product out of stock or of unknown stock, never one the
 * catalog does not describe (the item needs its name).
 */
import type { RecsItem } from '@sessionflow/core';
import type { CatalogEntry } from '../catalog/schema.js';

export interface Scored {
  id: string;
  score: number;
}

export interface PopularityInput {
  /** Popularity within the context product's category, best first (empty without a context). */
  inCategory: readonly Scored[];
  /** Popularity over all products, best first. */
  overall: readonly Scored[];
  /** Catalog products to fill with, any order: those of the context's category go first, then by id. */
  catalogFill: readonly string[];
  contextId?: string | undefined;
  contextCategory?: string | undefined;
  n: number;
}

/** Candidates in order, each once, the context product left out; more than `n` so stock filtering can drop some. */
export function popularityCandidates(input: PopularityInput): Scored[] {
  const out: Scored[] = [];
  const seen = new Set<string>(input.contextId === undefined ? [] : [input.contextId]);
  const take = (list: readonly Scored[]) => {
    for (const s of list) {
      if (seen.has(s.id)) continue;
      seen.add(s.id);
      out.push(s);
    }
  };
  take(input.inCategory);
  take(input.overall);
  take(input.catalogFill.map((id) => ({ id, score: 0 })));
  return out;
}

/** The first `n` candidates the catalog describes and that are in stock, as RecsItems. */
export function recsItems(
  candidates: readonly Scored[],
  catalog: ReadonlyMap<string, CatalogEntry>,
  inStock: ReadonlyMap<string, boolean>,
  n: number,
  contextCategory?: string,
): RecsItem[] {
  const items: RecsItem[] = [];
  const fill: RecsItem[] = [];
  for (const { id, score } of candidates) {
    const product = catalog.get(id);
    if (product === undefined || inStock.get(id) !== true) continue;
    const item: RecsItem = { id, name: product.name, category: product.category, price: product.price, score, ...(product.href === undefined ? {} : { href: product.href }) };
    // Untouched products (score 0) only fill up, the context's category first.
    (score > 0 ? items : fill).push(item);
  }
  fill.sort((a, b) => Number(b.category === contextCategory) - Number(a.category === contextCategory) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return [...items, ...fill].slice(0, n);
}

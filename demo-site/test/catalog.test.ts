/** The generated catalog: its size, its determinism, and that it is what the edge's demo rules and the tests expect. */
import { DEMO_RULES } from '@sessionflow/core';
import { describe, expect, it } from 'vitest';
import { CATEGORIES, CATEGORY_IDS } from '../src/catalog/categories.js';
import { generateProducts } from '../src/catalog/generate.js';
import { CATALOG_SEED, CLASSICS, PRODUCTS, productById } from '../src/catalog/products.js';

describe('the catalog', () => {
  it('has about 200 products in 5 categories, each with a price, stock and a picture of its kind', () => {
    expect(PRODUCTS).toHaveLength(200);
    expect(new Set(PRODUCTS.map((p) => p.category))).toEqual(new Set(CATEGORY_IDS));
    for (const category of CATEGORY_IDS) expect(PRODUCTS.filter((p) => p.category === category).length).toBeGreaterThanOrEqual(35);
    for (const p of PRODUCTS) {
      expect(Number.isInteger(p.priceCents) && p.priceCents > 0, p.id).toBe(true);
      expect(Number.isInteger(p.stock) && p.stock >= 0, p.id).toBe(true);
      expect(p.inStock, p.id).toBe(p.stock > 0);
      expect(p.hue, p.id).toBeGreaterThanOrEqual(0);
      expect(p.hue, p.id).toBeLessThan(360);
    }
  });

  it('has unique ids and names, and finds a product by id', () => {
    expect(new Set(PRODUCTS.map((p) => p.id)).size).toBe(PRODUCTS.length);
    expect(new Set(PRODUCTS.map((p) => p.name)).size).toBe(PRODUCTS.length);
    expect(productById('sku-1150')).toBe(PRODUCTS.find((p) => p.id === 'sku-1150'));
    expect(productById('sku-9999')).toBeUndefined();
  });

  it('sells some products out, and not too many', () => {
    const soldOut = PRODUCTS.filter((p) => !p.inStock).length;
    expect(soldOut).toBeGreaterThan(1);
    expect(soldOut).toBeLessThan(PRODUCTS.length / 5);
  });

  it('is the same on every build: a seed makes the same products, another seed others', () => {
    const again = generateProducts({ count: 192, firstNumber: 1009, seed: CATALOG_SEED, taken: CLASSICS.map((p) => p.name) });
    expect(again).toEqual(PRODUCTS.slice(CLASSICS.length));
    const other = generateProducts({ count: 192, firstNumber: 1009, seed: CATALOG_SEED + 1, taken: CLASSICS.map((p) => p.name) });
    expect(other.map((p) => p.name)).not.toEqual(again.map((p) => p.name));
  });

  it('keeps the eight products the tests and the demo rules name, with the mug set in stock and the skillet sold out', () => {
    expect(PRODUCTS.slice(0, 8).map((p) => p.id)).toEqual(['sku-1001', 'sku-1002', 'sku-1003', 'sku-1004', 'sku-1005', 'sku-1006', 'sku-1007', 'sku-1008']);
    expect(productById('sku-1005')).toMatchObject({ name: 'Stoneware Mug Set', inStock: true });
    expect(productById('sku-1006')).toMatchObject({ name: 'Cast Iron Skillet', inStock: false });
  });

  it('has every category and product the demo rules name', () => {
    const named = DEMO_RULES.rules.flatMap((rule) => rule.id.match(/^category-banner\.(.+)$/)?.slice(1) ?? []);
    expect(named.length).toBeGreaterThan(0);
    for (const category of named) expect(CATEGORIES.map((c) => c.id)).toContain(category);
    const offered = DEMO_RULES.rules.flatMap((rule) => rule.actions.flatMap((a) => (typeof (a as { productId?: unknown }).productId === 'string' ? [(a as { productId: string }).productId] : [])));
    expect(offered.length).toBeGreaterThan(0);
    for (const id of offered) expect(productById(id)?.inStock, id).toBe(true);
  });
});

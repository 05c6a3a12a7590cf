/**
 * The storefront's catalog: eight hand-made products the tests and the edge's
 * demo rules name by id (sku-1001 … sku-1008; the cart-abandonment offer adds
 * the mug set sku-1005; the skillet sku-1006 is sold out), then generated ones
 * up to CATALOG_SIZE, the same on every start (see generate.ts).
 */
import type { Artwork } from '../storefront/artwork.js';
import type { ProductCategory } from './categories.js';
import { generateProducts } from './generate.js';

export type { ProductCategory } from './categories.js';

export interface Product {
  id: string;
  name: string;
  category: ProductCategory;
  /** Price in cents, to keep money out of floating point. */
  priceCents: number;
  blurb: string;
  /** The picture: a drawing and the hue (0–360) of its background. */
  artwork: Artwork;
  hue: number;
  /** Units on hand. */
  stock: number;
  /** stock > 0. Sold out products are shown but not sold, and never recommended (the catalog feed tells the collector). */
  inStock: boolean;
}

export const CATALOG_SIZE = 200;
/** Changing it reshuffles every generated product: ids stay, names, prices and stock move. */
export const CATALOG_SEED = 13;

const classic = (p: Omit<Product, 'inStock'>): Product => ({ ...p, inStock: p.stock > 0 });

export const CLASSICS: readonly Product[] = [
  classic({ id: 'sku-1001', name: 'Arc Floor Lamp', category: 'lighting', priceCents: 14900, blurb: 'Brushed steel arc with a linen shade.', artwork: 'floor-lamp', hue: 38, stock: 14 }),
  classic({ id: 'sku-1002', name: 'Linen Table Lamp', category: 'lighting', priceCents: 7900, blurb: 'Warm light for a bedside or a desk.', artwork: 'table-lamp', hue: 28, stock: 31 }),
  classic({ id: 'sku-1003', name: 'Oak Lounge Chair', category: 'furniture', priceCents: 32900, blurb: 'Solid oak frame, wool cushions.', artwork: 'chair', hue: 24, stock: 6 }),
  classic({ id: 'sku-1004', name: 'Walnut Side Table', category: 'furniture', priceCents: 18900, blurb: 'Round top, tapered legs, oiled finish.', artwork: 'table', hue: 16, stock: 9 }),
  classic({ id: 'sku-1005', name: 'Stoneware Mug Set', category: 'kitchen', priceCents: 3600, blurb: 'Four glazed mugs, dishwasher safe.', artwork: 'mugs', hue: 200, stock: 48 }),
  classic({ id: 'sku-1006', name: 'Cast Iron Skillet', category: 'kitchen', priceCents: 5400, blurb: 'Pre-seasoned, 26 cm, lasts a lifetime.', artwork: 'skillet', hue: 220, stock: 0 }),
  classic({ id: 'sku-1007', name: 'Wool Throw Blanket', category: 'textiles', priceCents: 9800, blurb: 'Merino wool, herringbone weave.', artwork: 'blanket', hue: 340, stock: 22 }),
  classic({ id: 'sku-1008', name: 'Fiddle Leaf Fig', category: 'plants', priceCents: 6500, blurb: 'Potted, about 90 cm tall.', artwork: 'plant', hue: 120, stock: 17 }),
];

export const PRODUCTS: readonly Product[] = [...CLASSICS, ...generateProducts({ count: CATALOG_SIZE - CLASSICS.length, firstNumber: 1009, seed: CATALOG_SEED, taken: CLASSICS.map((p) => p.name) })];

const byId = new Map(PRODUCTS.map((p) => [p.id, p]));

export const productById = (id: string): Product | undefined => byId.get(id);

export const productsIn = (category: string): Product[] => PRODUCTS.filter((p) => p.category === category);

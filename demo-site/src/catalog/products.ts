/** The storefront's products. Ids are stable: tests and rules refer to them. */
import type { Artwork } from '../storefront/artwork.js';

export type ProductCategory = 'lighting' | 'furniture' | 'kitchen' | 'textiles' | 'plants';

export interface Product {
  id: string;
  name: string;
  category: ProductCategory;
  /** Price in cents, to keep money out of floating point. */
  priceCents: number;
  blurb: string;
  /** The image placeholder: a drawing and the hue (0–360) of its background. */
  artwork: Artwork;
  hue: number;
  /** Sold out products are shown but not sold, and never recommended (the catalog feed tells the collector). */
  inStock: boolean;
}

export const PRODUCTS: readonly Product[] = [
  { id: 'sku-1001', name: 'Arc Floor Lamp', category: 'lighting', priceCents: 14900, blurb: 'Brushed steel arc with a linen shade.', artwork: 'floor-lamp', hue: 38, inStock: true },
  { id: 'sku-1002', name: 'Linen Table Lamp', category: 'lighting', priceCents: 7900, blurb: 'Warm light for a bedside or a desk.', artwork: 'table-lamp', hue: 28, inStock: true },
  { id: 'sku-1003', name: 'Oak Lounge Chair', category: 'furniture', priceCents: 32900, blurb: 'Solid oak frame, wool cushions.', artwork: 'chair', hue: 24, inStock: true },
  { id: 'sku-1004', name: 'Walnut Side Table', category: 'furniture', priceCents: 18900, blurb: 'Round top, tapered legs, oiled finish.', artwork: 'table', hue: 16, inStock: true },
  { id: 'sku-1005', name: 'Stoneware Mug Set', category: 'kitchen', priceCents: 3600, blurb: 'Four glazed mugs, dishwasher safe.', artwork: 'mugs', hue: 200, inStock: true },
  { id: 'sku-1006', name: 'Cast Iron Skillet', category: 'kitchen', priceCents: 5400, blurb: 'Pre-seasoned, 26 cm, lasts a lifetime.', artwork: 'skillet', hue: 220, inStock: false },
  { id: 'sku-1007', name: 'Wool Throw Blanket', category: 'textiles', priceCents: 9800, blurb: 'Merino wool, herringbone weave.', artwork: 'blanket', hue: 340, inStock: true },
  { id: 'sku-1008', name: 'Fiddle Leaf Fig', category: 'plants', priceCents: 6500, blurb: 'Potted, about 90 cm tall.', artwork: 'plant', hue: 120, inStock: true },
];

/**
 * What the shop tells Sessionflow, as `[name, props]` for `sessionflow.track`,
 * in the shapes the pipeline reads (core's KNOWN_TRACK_NAMES, its open-session
 * fold and the funnel's steps): `product_view` and `add_to_cart` name the
 * product as `productId`, a `purchase` lists its `items` by `productId`.
 * The server hands these to the page, so the script-tag shop and the
 * single-page app send exactly the same.
 */
import type { Product } from '../catalog/products.js';
import { CURRENCY } from './format.js';

export type TrackCall = [name: string, props: Record<string, unknown>];

export const productViewed = (p: Product): TrackCall => ['product_view', { productId: p.id, category: p.category, priceCents: p.priceCents }];

export const searched = (query: string, results: number): TrackCall => ['search', { query, results }];

export const addedToCart = (p: Product, quantity: number): TrackCall => ['add_to_cart', { productId: p.id, category: p.category, quantity, priceCents: p.priceCents }];

export const removedFromCart = (p: Product, quantity: number): TrackCall => ['remove_from_cart', { productId: p.id, category: p.category, quantity }];

export interface PurchasedOrder {
  id: string;
  items: ReadonlyArray<{ productId: string; quantity: number; priceCents: number }>;
  totalCents: number;
}

export const purchased = (order: PurchasedOrder): TrackCall => [
  'purchase',
  {
    orderId: order.id,
    items: order.items.map(({ productId, quantity, priceCents }) => ({ productId, quantity, priceCents })),
    revenueCents: order.totalCents,
    currency: CURRENCY,
  },
];

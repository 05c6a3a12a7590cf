/**
 * The cart: products and quantities, kept in the visitor's browser as a
 * cookie (`demo_cart`, e.g. `sku-1001:2,sku-1005:1`), so the script-tag shop
 * and the single-page app share it and the server keeps no state for it. A
 * cookie is the browser's word: it is read back through the catalog, and
 * unknown products, bad quantities and lines past the limits are dropped.
 */
import { productById, type Product } from '../catalog/products.js';

export interface CartItem {
  productId: string;
  quantity: number;
}

export const CART_LIMITS = Object.freeze({ lines: 30, quantity: 99 });
/** Orders from this subtotal ship free; below it, a flat rate. */
export const FREE_SHIPPING_FROM_CENTS = 10_000;
export const SHIPPING_CENTS = 595;

export function parseCart(cookie: string | undefined): CartItem[] {
  const items: CartItem[] = [];
  for (const part of (cookie ?? '').split(',')) {
    const [id = '', quantity = ''] = part.split(':');
    const product = productById(id);
    const units = Number(quantity);
    if (product === undefined || !Number.isInteger(units) || units < 1 || items.some((i) => i.productId === id)) continue;
    items.push({ productId: id, quantity: Math.min(units, CART_LIMITS.quantity, Math.max(product.stock, 1)) });
    if (items.length === CART_LIMITS.lines) break;
  }
  return items;
}

export const serializeCart = (items: readonly CartItem[]): string => items.map((i) => `${i.productId}:${i.quantity}`).join(',');

export const quantityOf = (items: readonly CartItem[], productId: string): number => items.find((i) => i.productId === productId)?.quantity ?? 0;

/**
 * The cart with `productId` at `quantity` (0 removes the line), capped by the
 * stock and the limits. A new line past the line limit is not added.
 */
export function setQuantity(items: readonly CartItem[], product: Product, quantity: number): CartItem[] {
  const units = Math.max(0, Math.min(Math.floor(quantity), CART_LIMITS.quantity, product.stock));
  const has = items.some((i) => i.productId === product.id);
  if (units === 0) return items.filter((i) => i.productId !== product.id);
  if (has) return items.map((i) => (i.productId === product.id ? { productId: i.productId, quantity: units } : i));
  return items.length >= CART_LIMITS.lines ? [...items] : [...items, { productId: product.id, quantity: units }];
}

export interface CartLine {
  product: Product;
  quantity: number;
  lineCents: number;
}

export interface CartSummary {
  lines: CartLine[];
  units: number;
  subtotalCents: number;
  shippingCents: number;
  totalCents: number;
}

export function summarize(items: readonly CartItem[]): CartSummary {
  const lines = items.flatMap((i) => {
    const product = productById(i.productId);
    return product === undefined ? [] : [{ product, quantity: i.quantity, lineCents: product.priceCents * i.quantity }];
  });
  const subtotalCents = lines.reduce((sum, l) => sum + l.lineCents, 0);
  const shippingCents = lines.length === 0 || subtotalCents >= FREE_SHIPPING_FROM_CENTS ? 0 : SHIPPING_CENTS;
  return { lines, units: lines.reduce((sum, l) => sum + l.quantity, 0), subtotalCents, shippingCents, totalCents: subtotalCents + shippingCents };
}

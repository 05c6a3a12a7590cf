/**
 * The shop's JSON API, used by store.js and the single-page app alike:
 *
 * - `GET /api/cart` → `{ cart }`
 * - `POST /api/cart` `{ productId, quantity? }` → `{ cart, track }` (adds; `track` is the `add_to_cart` to send)
 * - `PUT /api/cart/:productId` `{ quantity }` → `{ cart, track? }` (0 removes)
 * - `DELETE /api/cart/:productId` → `{ cart, track? }`
 * - `POST /api/orders` (JSON, or the checkout form without script) `{ name, email, address, postcode, city, country }`
 *   → 201 `{ order, track }` (`track` is the `purchase`), the cart emptied
 * - `GET /api/orders/:orderId` → `{ order }`
 *
 * `cart` is `{ items: [{ productId, quantity }], units, subtotal, shipping, total, lines: [{ productId, lineTotal }] }`
 * (money formatted for display). Refusals are JSON `{ error, message }` naming the field.
 */
import type { Context, Hono } from 'hono';
import { productById } from '../catalog/products.js';
import { formatCents } from '../storefront/format.js';
import { addedToCart, purchased, removedFromCart, type TrackCall } from '../storefront/tracking.js';
import { CART_LIMITS, quantityOf, setQuantity, summarize, type CartItem } from './cart.js';
import { cartOf, saveCart } from './cart-cookie.js';
import { readCheckout } from './checkout-form.js';
import type { OrderBook } from './orders.js';

export function cartView(items: readonly CartItem[]) {
  const summary = summarize(items);
  return {
    items: summary.lines.map((l) => ({ productId: l.product.id, quantity: l.quantity })),
    units: summary.units,
    subtotal: formatCents(summary.subtotalCents),
    shipping: summary.shippingCents === 0 ? 'Free' : formatCents(summary.shippingCents),
    total: formatCents(summary.totalCents),
    lines: summary.lines.map((l) => ({ productId: l.product.id, lineTotal: formatCents(l.lineCents) })),
  };
}
export type CartView = ReturnType<typeof cartView>;

const refuse = (c: Context, status: 400 | 404 | 409, error: string, message: string, field?: string) =>
  c.json({ error, message, ...(field !== undefined ? { field } : {}) }, status);

async function jsonBody(c: Context): Promise<Record<string, unknown> | undefined> {
  try {
    const body: unknown = await c.req.json();
    return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A whole number of units, else undefined. */
const unitsOf = (value: unknown): number | undefined => (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 10_000 ? value : undefined);

/** What a change of quantity tells Sessionflow: an add, a removal, or nothing. */
function quantityChange(productId: string, before: number, after: number): TrackCall | undefined {
  const product = productById(productId)!;
  if (after > before) return addedToCart(product, after - before);
  if (after < before) return removedFromCart(product, before - after);
  return undefined;
}

export function mountShopApi(app: Hono, orders: OrderBook): void {
  app.use('/api/*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });

  app.get('/api/cart', (c) => c.json({ cart: cartView(cartOf(c)) }));

  app.post('/api/cart', async (c) => {
    const body = await jsonBody(c);
    if (body === undefined) return refuse(c, 400, 'invalid_body', 'the body must be a JSON object { productId, quantity? }');
    const product = typeof body['productId'] === 'string' ? productById(body['productId']) : undefined;
    if (product === undefined) return refuse(c, 404, 'unknown_product', `productId: no product ${JSON.stringify(body['productId'] ?? null)}`, 'productId');
    const quantity = body['quantity'] === undefined ? 1 : unitsOf(body['quantity']);
    if (quantity === undefined || quantity < 1) return refuse(c, 400, 'invalid_quantity', 'quantity: must be a whole number of at least 1', 'quantity');
    if (!product.inStock) return refuse(c, 409, 'sold_out', `productId: ${product.name} is sold out`, 'productId');
    const items = cartOf(c);
    const before = quantityOf(items, product.id);
    if (before === 0 && items.length >= CART_LIMITS.lines) return refuse(c, 409, 'cart_full', `the cart holds at most ${CART_LIMITS.lines} different products`);
    const next = setQuantity(items, product, before + quantity);
    const after = quantityOf(next, product.id);
    if (after === before) return refuse(c, 409, 'no_more_stock', `quantity: no more than ${after} of ${product.name} can be ordered`, 'quantity');
    saveCart(c, next);
    return c.json({ cart: cartView(next), track: addedToCart(product, after - before) });
  });

  const change = async (c: Context, quantityIn: (body: Record<string, unknown> | undefined) => number | undefined) => {
    const productId = c.req.param('productId') ?? '';
    const product = productById(productId);
    if (product === undefined) return refuse(c, 404, 'unknown_product', `productId: no product ${JSON.stringify(productId)}`, 'productId');
    const quantity = quantityIn(await jsonBody(c));
    if (quantity === undefined) return refuse(c, 400, 'invalid_quantity', 'quantity: must be a whole number of at least 0', 'quantity');
    const items = cartOf(c);
    const before = quantityOf(items, productId);
    const next = setQuantity(items, product, quantity);
    saveCart(c, next);
    const track = quantityChange(productId, before, quantityOf(next, productId));
    return c.json({ cart: cartView(next), ...(track !== undefined ? { track } : {}) });
  };
  app.put('/api/cart/:productId', (c) => change(c, (body) => unitsOf(body?.['quantity'])));
  app.delete('/api/cart/:productId', (c) => change(c, () => 0));

  app.post('/api/orders', async (c) => {
    const isForm = /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(c.req.header('content-type') ?? '');
    const body = isForm ? ((await c.req.parseBody()) as Record<string, unknown>) : await jsonBody(c);
    if (body === undefined) return refuse(c, 400, 'invalid_body', 'the body must be a JSON object with the checkout fields');
    const summary = summarize(cartOf(c));
    if (summary.lines.length === 0) return refuse(c, 409, 'empty_cart', 'the cart is empty: add a product before checking out');
    const checkout = readCheckout(body);
    if (!checkout.ok) {
      const [field, message] = Object.entries(checkout.errors)[0]!;
      return c.json({ error: 'invalid_checkout', message: `${field}: ${message}`, field, fields: checkout.errors }, 400);
    }
    const order = orders.place(summary, checkout.contact);
    saveCart(c, []);
    // Without script the form lands on the order page (the purchase is then not tracked: there is no script to send it).
    if (isForm) return c.redirect(`/orders/${encodeURIComponent(order.id)}`, 303);
    return c.json({ order, track: purchased(order) }, 201);
  });

  app.get('/api/orders/:orderId', (c) => {
    const order = orders.get(c.req.param('orderId'));
    return order === undefined ? refuse(c, 404, 'unknown_order', `orderId: no order ${JSON.stringify(c.req.param('orderId'))}`, 'orderId') : c.json({ order });
  });
}

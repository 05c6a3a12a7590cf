/**
 * The shop's JSON API through the app (hono's `app.request`): the cart in its
 * cookie, what each change tells Sessionflow, and a checkout that ends in an
 * order and a purchase, with refusals that name the field.
 */
import { describe, expect, it } from 'vitest';
import { createDemoApp } from '../src/app.js';
import { PUBLIC_DIR } from '../src/server.js';
import { CART_COOKIE } from '../src/shop/cart-cookie.js';

let orders = 0;
const app = createDemoApp({ edgeUrl: 'http://127.0.0.1:9', siteKey: 'k', sdkFile: '/nonexistent/sessionflow.min.js', publicDir: PUBLIC_DIR, newOrderId: () => `NW-TEST${++orders}` });

/** A browser's cookie jar for the cart, enough for these requests. */
function shopper() {
  let cart = '';
  const call = async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
    const response = await app.request(path, {
      method,
      headers: { ...(cart ? { cookie: `${CART_COOKIE}=${cart}` } : {}), ...(body !== undefined ? { 'content-type': contentType } : {}) },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const set = response.headers.getSetCookie().find((c) => c.startsWith(`${CART_COOKIE}=`));
    if (set !== undefined) cart = /Max-Age=0/i.test(set) ? '' : decodeURIComponent(set.slice(CART_COOKIE.length + 1).split(';')[0]!);
    const text = await response.text();
    return { status: response.status, body: (text.startsWith('{') ? JSON.parse(text) : {}) as Record<string, any>, text, response };
  };
  return { call, cookie: () => cart };
}

const CONTACT = { name: 'Ada Lovelace', email: 'ada@example.com', address: 'Keizersgracht 1', postcode: '1015 CJ', city: 'Amsterdam', country: 'Netherlands' };

describe('the cart API', () => {
  it('adds a product, remembers the cart in a cookie, and answers the add_to_cart to track', async () => {
    const s = shopper();
    const { status, body } = await s.call('POST', '/api/cart', { productId: 'sku-1002', quantity: 2 });
    expect(status).toBe(200);
    expect(body['cart']).toMatchObject({ items: [{ productId: 'sku-1002', quantity: 2 }], units: 2, subtotal: '€158.00', shipping: 'Free', total: '€158.00' });
    expect(body['track']).toEqual(['add_to_cart', { productId: 'sku-1002', category: 'lighting', quantity: 2, priceCents: 7900 }]);
    expect(s.cookie()).toBe('sku-1002:2');
    const again = await s.call('POST', '/api/cart', { productId: 'sku-1002' });
    expect(again.body['cart'].units).toBe(3);
    expect((await s.call('GET', '/api/cart')).body['cart'].items).toEqual([{ productId: 'sku-1002', quantity: 3 }]);
  });

  it('changes a quantity and removes a line, telling Sessionflow what left the cart', async () => {
    const s = shopper();
    await s.call('POST', '/api/cart', { productId: 'sku-1007', quantity: 3 });
    const less = await s.call('PUT', '/api/cart/sku-1007', { quantity: 1 });
    expect(less.body['track']).toEqual(['remove_from_cart', { productId: 'sku-1007', category: 'textiles', quantity: 2 }]);
    const more = await s.call('PUT', '/api/cart/sku-1007', { quantity: 4 });
    expect(more.body['track']).toEqual(['add_to_cart', { productId: 'sku-1007', category: 'textiles', quantity: 3, priceCents: 9800 }]);
    const same = await s.call('PUT', '/api/cart/sku-1007', { quantity: 4 });
    expect(same.body['track']).toBeUndefined();
    const gone = await s.call('DELETE', '/api/cart/sku-1007');
    expect(gone.body['track']).toEqual(['remove_from_cart', { productId: 'sku-1007', category: 'textiles', quantity: 4 }]);
    expect(gone.body['cart'].items).toEqual([]);
    expect(s.cookie()).toBe('');
  });

  it.each([
    [{ productId: 'sku-0000' }, 404, 'unknown_product', 'productId'],
    [{ productId: 'sku-1006' }, 409, 'sold_out', 'productId'],
    [{ productId: 'sku-1002', quantity: 0 }, 400, 'invalid_quantity', 'quantity'],
    [{ productId: 'sku-1002', quantity: 1.5 }, 400, 'invalid_quantity', 'quantity'],
  ])('refuses %j with %i %s, naming the field', async (body, status, error, field) => {
    const s = shopper();
    const answer = await s.call('POST', '/api/cart', body);
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ error, field, message: expect.stringContaining(field) });
    expect(s.cookie()).toBe('');
  });

  it('refuses a body that is not a JSON object', async () => {
    const answer = await shopper().call('POST', '/api/cart', '[1,2]');
    expect(answer.status).toBe(400);
    expect(answer.body['error']).toBe('invalid_body');
  });

  it('never sells more than the stock', async () => {
    const s = shopper();
    await s.call('POST', '/api/cart', { productId: 'sku-1003', quantity: 6 });
    const answer = await s.call('POST', '/api/cart', { productId: 'sku-1003' });
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ error: 'no_more_stock', field: 'quantity' });
    expect(s.cookie()).toBe('sku-1003:6');
  });
});

describe('the checkout', () => {
  it('places the order of the cart, empties the cart, answers the purchase to track, and the order page shows it', async () => {
    const s = shopper();
    await s.call('POST', '/api/cart', { productId: 'sku-1002', quantity: 1 });
    await s.call('POST', '/api/cart', { productId: 'sku-1005', quantity: 2 });
    const placed = await s.call('POST', '/api/orders', CONTACT);
    expect(placed.status).toBe(201);
    const order = placed.body['order'];
    expect(order).toMatchObject({ items: [{ productId: 'sku-1002', quantity: 1, priceCents: 7900 }, { productId: 'sku-1005', quantity: 2, priceCents: 3600 }], subtotalCents: 15100, shippingCents: 0, totalCents: 15100, name: 'Ada Lovelace' });
    expect(placed.body['track']).toEqual([
      'purchase',
      { orderId: order.id, items: [{ productId: 'sku-1002', quantity: 1, priceCents: 7900 }, { productId: 'sku-1005', quantity: 2, priceCents: 3600 }], revenueCents: 15100, currency: 'EUR' },
    ]);
    expect(s.cookie()).toBe('');
    expect((await s.call('GET', `/api/orders/${order.id}`)).body['order']).toEqual(order);
    const page = await s.call('GET', `/orders/${order.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`data-testid="order-confirmation" data-order-id="${order.id}"`);
    expect(page.text).toContain('Thank you, Ada Lovelace!');
  });

  it('refuses an empty cart', async () => {
    const answer = await shopper().call('POST', '/api/orders', CONTACT);
    expect(answer.status).toBe(409);
    expect(answer.body['error']).toBe('empty_cart');
  });

  it('refuses missing or malformed fields, naming each, and keeps the cart', async () => {
    const s = shopper();
    await s.call('POST', '/api/cart', { productId: 'sku-1002' });
    const answer = await s.call('POST', '/api/orders', { ...CONTACT, email: 'not-an-address', city: ' ' });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_checkout', field: 'email', fields: { email: expect.stringContaining('Email'), city: expect.stringContaining('City') } });
    expect(Object.keys(answer.body['fields'])).toEqual(['email', 'city']);
    expect(s.cookie()).toBe('sku-1002:1');
  });

  it('takes the form without script too, and lands on the order page', async () => {
    const s = shopper();
    await s.call('POST', '/api/cart', { productId: 'sku-1002' });
    const answer = await s.call('POST', '/api/orders', new URLSearchParams(CONTACT).toString(), 'application/x-www-form-urlencoded');
    expect(answer.status).toBe(303);
    expect(answer.response.headers.get('location')).toMatch(/^\/orders\/NW-TEST\d+$/);
    expect(s.cookie()).toBe('');
  });

  it('answers 404 for an order it does not know', async () => {
    const answer = await shopper().call('GET', '/api/orders/NW-NOPE');
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: 'unknown_order', field: 'orderId' });
  });
});

describe('pages of a shopper with a cart', () => {
  it('show the cart count in the header, the lines on the cart page and the total on the checkout', async () => {
    const s = shopper();
    await s.call('POST', '/api/cart', { productId: 'sku-1004', quantity: 2 });
    const home = await s.call('GET', '/');
    expect(home.text).toMatch(/data-testid="cart-count"[^>]*>2</);
    const cart = await s.call('GET', '/cart');
    expect(cart.text.match(/data-testid="cart-line"/g)).toHaveLength(1);
    expect(cart.text).toContain('€378.00');
    const checkout = await s.call('GET', '/checkout');
    expect(checkout.text).toMatch(/data-testid="checkout-submit">Place order · €378.00</);
  });
});

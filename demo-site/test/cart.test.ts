import { describe, expect, it } from 'vitest';
import { productById } from '../src/catalog/products.js';
import { CART_LIMITS, FREE_SHIPPING_FROM_CENTS, parseCart, serializeCart, setQuantity, SHIPPING_CENTS, summarize } from '../src/shop/cart.js';
import { PRODUCTS } from '../src/catalog/products.js';

const lamp = productById('sku-1002')!; // €79.00, 31 in stock
const chair = productById('sku-1003')!; // €329.00, 6 in stock

describe('the cart cookie', () => {
  it('reads back what it wrote', () => {
    const items = [{ productId: 'sku-1002', quantity: 2 }, { productId: 'sku-1003', quantity: 1 }];
    expect(serializeCart(items)).toBe('sku-1002:2,sku-1003:1');
    expect(parseCart(serializeCart(items))).toEqual(items);
  });

  it('drops what the browser may have made up: unknown products, bad quantities, repeated lines; caps at the stock', () => {
    expect(parseCart('sku-0000:1,sku-1002:0,sku-1002:-1,sku-1002:x,sku-1002:2.5,sku-1003:50,sku-1003:1,garbage')).toEqual([{ productId: 'sku-1003', quantity: chair.stock }]);
    expect(parseCart(undefined)).toEqual([]);
    expect(parseCart('')).toEqual([]);
  });

  it('keeps at most the line limit', () => {
    const many = PRODUCTS.filter((p) => p.inStock).slice(0, CART_LIMITS.lines + 5).map((p) => `${p.id}:1`).join(',');
    expect(parseCart(many)).toHaveLength(CART_LIMITS.lines);
  });
});

describe('setQuantity', () => {
  it('adds a line, changes it, and removes it at 0', () => {
    const one = setQuantity([], lamp, 1);
    expect(one).toEqual([{ productId: 'sku-1002', quantity: 1 }]);
    expect(setQuantity(one, lamp, 3)).toEqual([{ productId: 'sku-1002', quantity: 3 }]);
    expect(setQuantity(one, lamp, 0)).toEqual([]);
  });

  it('never puts more in the cart than the stock, and nothing of a sold-out product', () => {
    expect(setQuantity([], chair, 50)).toEqual([{ productId: 'sku-1003', quantity: chair.stock }]);
    expect(setQuantity([], productById('sku-1006')!, 1)).toEqual([]);
  });
});

describe('summarize', () => {
  it('adds up the lines and charges delivery below the free-delivery threshold', () => {
    const small = summarize([{ productId: 'sku-1002', quantity: 1 }]);
    expect(small).toMatchObject({ units: 1, subtotalCents: 7900, shippingCents: SHIPPING_CENTS, totalCents: 7900 + SHIPPING_CENTS });
    const big = summarize([{ productId: 'sku-1002', quantity: 2 }, { productId: 'sku-1003', quantity: 1 }]);
    expect(big.subtotalCents).toBeGreaterThanOrEqual(FREE_SHIPPING_FROM_CENTS);
    expect(big).toMatchObject({ units: 3, subtotalCents: 2 * 7900 + 32900, shippingCents: 0, totalCents: 2 * 7900 + 32900 });
    expect(big.lines.map((l) => [l.product.id, l.lineCents])).toEqual([['sku-1002', 15800], ['sku-1003', 32900]]);
  });

  it('charges nothing for an empty cart', () => {
    expect(summarize([])).toEqual({ lines: [], units: 0, subtotalCents: 0, shippingCents: 0, totalCents: 0 });
  });
});

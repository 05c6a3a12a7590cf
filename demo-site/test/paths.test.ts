import { describe, expect, it } from 'vitest';
import { appPathFor, linksFor, matchRoute } from '../src/storefront/paths.js';

describe('matchRoute', () => {
  it.each([
    ['/', '', { name: 'home' }],
    ['/c/lighting', '', { name: 'category', category: 'lighting' }],
    ['/p/sku-1001', '', { name: 'product', productId: 'sku-1001' }],
    ['/p/sku%201001', '', { name: 'product', productId: 'sku 1001' }],
    ['/search', '?q=oak%20chair', { name: 'search', query: 'oak chair' }],
    ['/search', '', { name: 'search', query: '' }],
    ['/cart', '', { name: 'cart' }],
    ['/cart/', '', { name: 'cart' }],
    ['/checkout', '', { name: 'checkout' }],
    ['/orders/NW-1', '', { name: 'order', orderId: 'NW-1' }],
    ['/', '?category=kitchen', { name: 'category', category: 'kitchen' }],
    ['/', '?product=sku-1005', { name: 'product', productId: 'sku-1005' }],
    ['/p/a/b', '', { name: 'not-found' }],
    ['/p/%E0%A4%A', '', { name: 'not-found' }],
    ['/elsewhere', '', { name: 'not-found' }],
  ])('%s%s is %j', (path, search, route) => {
    expect(matchRoute(path, search)).toEqual(route);
  });

  it('reads the same routes under the app\u2019s base, and nothing outside it', () => {
    expect(matchRoute('/app', '', '/app')).toEqual({ name: 'home' });
    expect(matchRoute('/app/p/sku-1', '', '/app')).toEqual({ name: 'product', productId: 'sku-1' });
    expect(matchRoute('/application', '', '/app')).toEqual({ name: 'not-found' });
    expect(matchRoute('/p/sku-1', '', '/app')).toEqual({ name: 'not-found' });
  });
});

describe('links', () => {
  it('makes the links of either entry', () => {
    expect(linksFor('').product('sku 1')).toBe('/p/sku%201');
    expect(linksFor('/app').category('plants')).toBe('/app/c/plants');
    expect(linksFor('/app').home).toBe('/app');
    expect(linksFor('').search('a&b')).toBe('/search?q=a%26b');
  });
});

describe('appPathFor', () => {
  it.each([
    ['/app/cart', '', '/app/cart'],
    ['/p/sku-1007', '', '/app/p/sku-1007'],
    ['/', '?category=lighting', '/app/c/lighting'],
    ['/', '?product=sku-1005', '/app/p/sku-1005'],
    ['/c/kitchen', '?sort=name', '/app/c/kitchen?sort=name'],
    ['/search', '?q=lamp', '/app/search?q=lamp'],
    ['/', '', '/app'],
  ])('takes the shop\u2019s link %s%s to %s in the app', (path, search, expected) => {
    expect(appPathFor(path, search)).toBe(expected);
  });

  it('leaves what is not a page of the shop to the browser', () => {
    expect(appPathFor('/styles.css', '')).toBeUndefined();
    expect(appPathFor('/api/cart', '')).toBeUndefined();
  });
});

/**
 * The single-page app (`/app`) in Chromium against a stub edge: the SDK comes
 * bundled from npm (no script tag), every History API route change is a page
 * view with its own id and the previous route as referrer, the page's own
 * events belong to the route they happened on, and the recommendations slot
 * follows the route, forward and back, without a page load. Its pages pass axe.
 */
import { PRODUCT_VIEW_TRACK, type SessionflowEvent } from '@sessionflow/core';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { productById } from '../../src/catalog/products.js';
import { expectNoSeriousViolations } from './support/axe.js';
import { useShopStack } from './support/shop-stack.js';
import { recsFor } from './support/stub-edge.js';

const env = useShopStack();
/** The SDK sends a batch a second; vitest's poll would give up after one. */
const POLL = { timeout: 10_000, interval: 100 };

const path = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

/** Opens the app at `where` and waits until it has taken over the page; returns its anonymous id (from its first page view). */
async function openApp(page: Page, where: string, scripts: string[]): Promise<string> {
  page.on('request', (request) => scripts.push(path(request.url())));
  await page.goto(`${env.site.url}${where}`);
  await page.locator('html[data-app="ready"]').waitFor({ state: 'attached' });
  // A mark that a full page load would wipe.
  await page.evaluate(() => ((window as unknown as { appMark: number }).appMark = 42));
  const first = await env.edge.waitFor((all) => all.find((e) => e.type === 'page_view' && path(e.page.url) === where && !env.edge.events.some((o) => o !== e && o.anonymousId === e.anonymousId && o.timestamp < e.timestamp)));
  return first.anonymousId;
}

const recsShown = (page: Page) => page.locator('[data-sf-slot="recs"] .sf-recs .sf-item').evaluateAll((items) => items.map((i) => i.getAttribute('data-sf-product')));

test('route changes are page views and the recommendations slot follows the route, with the SDK bundled from npm', async () => {
  const page = await env.newPage();
  const requests: string[] = [];
  const anonymousId = await openApp(page, '/app', requests);
  await expectNoSeriousViolations(page, 'app home');

  await page.locator('.site-nav').getByRole('link', { name: 'Lighting' }).click();
  await page.waitForURL('**/app/c/lighting');
  await expect.poll(() => page.title(), POLL).toBe('Lighting · Northwind Home');
  await expectNoSeriousViolations(page, 'app category');

  await page.locator('[data-sf-product="sku-1001"] a.product-link').click();
  await page.waitForURL('**/app/p/sku-1001');
  await expect.poll(() => recsShown(page), POLL).toEqual(recsFor('sku-1001'));
  await expect.poll(() => page.locator('[data-sf-slot="recs"] .sf-item img.sf-thumb').count(), POLL).toBe(recsFor('sku-1001').length);
  await expectNoSeriousViolations(page, 'app product with recommendations');

  // A recommended item links to the shop's product page (/p/…); the app keeps it in the app.
  const next = recsFor('sku-1001')[0]!;
  await page.locator(`[data-sf-slot="recs"] [data-sf-product="${next}"] a`).click();
  await page.waitForURL(`**/app/p/${next}`);
  await expect(page.locator('#recs-heading').textContent()).resolves.toBe(`Because you viewed ${productById(next)!.name}`);
  await expect.poll(() => recsShown(page), POLL).toEqual(recsFor(next));

  await page.goBack();
  await page.waitForURL('**/app/p/sku-1001');
  await expect.poll(() => recsShown(page), POLL).toEqual(recsFor('sku-1001'));

  await page.locator('[data-testid="search-input"]').fill('linen');
  await page.locator('[data-testid="search-input"]').press('Enter');
  await page.waitForURL('**/app/search?q=linen');
  await expect.poll(() => page.locator('[data-testid="product-card"]').count(), POLL).toBeGreaterThan(0);
  await expectNoSeriousViolations(page, 'app search');

  // Never reloaded, and never the script tag: the SDK is in the app's bundle.
  expect(await page.evaluate(() => (window as unknown as { appMark?: number }).appMark)).toBe(42);
  expect(requests.filter((r) => r.includes('sessionflow.min.js'))).toEqual([]);
  expect(requests.filter((r) => r.startsWith('/app/shop.js'))).toHaveLength(1);
  expect(await page.evaluate(() => 'sessionflow' in window)).toBe(false);

  const routes = ['/app', '/app/c/lighting', '/app/p/sku-1001', `/app/p/${next}`, '/app/p/sku-1001', '/app/search?q=linen'];
  const events = await env.edge.waitFor((all) => {
    const mine = all.filter((e) => e.anonymousId === anonymousId);
    const tracked = mine.filter((e) => e.type === 'track' && (e.name === PRODUCT_VIEW_TRACK || e.name === 'search'));
    return mine.filter((e) => e.type === 'page_view').length >= routes.length && tracked.length >= 4 ? mine : undefined;
  });
  expect(env.edge.invalid).toEqual([]);
  const views = events.filter((e): e is Extract<SessionflowEvent, { type: 'page_view' }> => e.type === 'page_view');
  expect(views.map((e) => path(e.page.url))).toEqual(routes);
  expect(new Set(views.map((e) => e.page.pageViewId)).size).toBe(routes.length);
  // Each route's referrer is the route before it.
  expect(views.slice(1).map((e) => path(e.page.referrer!))).toEqual(routes.slice(0, -1));
  expect(views[2]!.page.title).toBe('Arc Floor Lamp · Northwind Home');
  // The product views and the search belong to the page view of their route.
  const tracked = events.flatMap((e) => (e.type === 'track' && (e.name === PRODUCT_VIEW_TRACK || e.name === 'search') ? [e] : []));
  expect(tracked.map((e) => [e.name, e.props?.['productId'] ?? e.props?.['query'], path(e.page.url)])).toEqual([
    [PRODUCT_VIEW_TRACK, 'sku-1001', '/app/p/sku-1001'],
    [PRODUCT_VIEW_TRACK, next, `/app/p/${next}`],
    [PRODUCT_VIEW_TRACK, 'sku-1001', '/app/p/sku-1001'],
    ['search', 'linen', '/app/search?q=linen'],
  ]);
  for (const event of tracked) expect(views.find((v) => v.page.pageViewId === event.page.pageViewId)?.page.url, event.eventId).toBe(event.page.url);
  expect(env.pageErrors).toEqual([]);
});

test('a purchase in the app: add to cart, cart, checkout and the order page, without a page load', async () => {
  const page = await env.newPage();
  const anonymousId = await openApp(page, '/app/p/sku-1007', []);
  await page.locator('[data-testid="add-to-cart"]').click();
  await expect.poll(() => page.locator('[data-testid="cart-count"]').textContent(), POLL).toBe('1');

  await page.locator('.cart-link').click();
  await page.waitForURL('**/app/cart');
  await page.locator('[data-testid="cart-line"]').waitFor();
  await expectNoSeriousViolations(page, 'app cart');
  await page.locator('[data-action="set-quantity"]').fill('3');
  await page.locator('[data-action="set-quantity"]').press('Tab');
  await expect.poll(() => page.locator('[data-testid="cart-count"]').textContent(), POLL).toBe('3');
  await expect.poll(() => page.locator('[data-summary="total"]').textContent(), POLL).toBe('€294.00');
  // The cart re-rendered in place; the keyboard user's focus stayed where Tab put it (the line's Remove).
  expect(await page.evaluate(() => [document.activeElement?.getAttribute('data-action'), document.activeElement?.getAttribute('data-product-id')])).toEqual(['remove', 'sku-1007']);

  await page.locator('[data-testid="checkout-link"]').click();
  await page.waitForURL('**/app/checkout');
  await expectNoSeriousViolations(page, 'app checkout');
  await page.getByLabel('Full name').fill('Grace Hopper');
  await page.getByLabel('Email').fill('grace@localhost');
  await page.getByLabel('Street and number').fill('Main St 1');
  await page.getByLabel('Postcode').fill('10001');
  await page.getByLabel('City').fill('New York');
  await page.getByLabel('Country').fill('USA');
  // The browser takes `grace@localhost`; the shop's server does not, and the form shows why by the field.
  await page.locator('[data-testid="checkout-submit"]').click();
  await expect.poll(() => page.locator('[data-field-error="email"]').textContent(), POLL).toContain('name@example.com');
  expect(await page.locator('#checkout-email').getAttribute('aria-invalid')).toBe('true');
  await expectNoSeriousViolations(page, 'app checkout with an error');
  await page.getByLabel('Email').fill('grace@example.com');
  await page.locator('[data-testid="checkout-submit"]').click();
  const confirmation = page.locator('[data-testid="order-confirmation"]');
  await confirmation.waitFor();
  const orderId = (await confirmation.getAttribute('data-order-id'))!;
  expect(path(page.url())).toBe(`/app/orders/${orderId}`);
  await expect(page.locator('[data-testid="cart-count"]').textContent()).resolves.toBe('0');
  await expectNoSeriousViolations(page, 'app order');
  expect(await page.evaluate(() => (window as unknown as { appMark?: number }).appMark)).toBe(42);

  const purchase = await env.edge.waitFor((all) => all.find((e) => e.anonymousId === anonymousId && e.type === 'track' && e.name === 'purchase'));
  expect(purchase).toMatchObject({ props: { orderId, items: [{ productId: 'sku-1007', quantity: 3, priceCents: 9800 }], revenueCents: 29400, currency: 'EUR' } });
  const carts = env.edge.eventsOf(anonymousId).flatMap((e) => (e.type === 'track' && e.name === 'add_to_cart' ? [e.props] : []));
  expect(carts).toEqual([
    { productId: 'sku-1007', category: 'textiles', quantity: 1, priceCents: 9800 },
    { productId: 'sku-1007', category: 'textiles', quantity: 2, priceCents: 9800 },
  ]);
  expect(env.pageErrors).toEqual([]);
});

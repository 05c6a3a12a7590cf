/**
 * The server-rendered shop in Chromium with the SDK by script tag, against a
 * stub edge: a whole visit (home → category → product → add to cart → search
 * → cart → checkout → order) sends what the pipeline reads, the edge's
 * recommendations and offer render into their slots, sign-in and sign-out
 * reach the SDK, and axe finds no serious or critical violation on any page.
 */
import { KNOWN_TRACK_NAMES, PRODUCT_VIEW_TRACK, type SessionflowEvent } from '@sessionflow/core';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { productById } from '../../src/catalog/products.js';
import { DEMO_USER } from '../../src/server.js';
import { expectNoSeriousViolations } from './support/axe.js';
import { screenshot } from './support/screenshot.js';
import { useShopStack } from './support/shop-stack.js';
import { recsFor, STUB_OFFER } from './support/stub-edge.js';

const env = useShopStack();
/** The SDK sends a batch a second; vitest's poll would give up after one. */
const POLL = { timeout: 10_000, interval: 100 };

async function visitor(page: Page, path: string): Promise<string> {
  await page.goto(`${env.site.url}${path}`);
  await page.waitForFunction(() => typeof (window as { sessionflow?: { anonymousId?: () => string } }).sessionflow?.anonymousId?.() === 'string');
  return page.evaluate(() => (window as unknown as { sessionflow: { anonymousId(): string } }).sessionflow.anonymousId());
}

const tracks = (events: readonly SessionflowEvent[], name: string) => events.flatMap((e) => (e.type === 'track' && e.name === name ? [e] : []));
const path = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

test('a visit from the home page to an order sends the page views, product view, add to cart, search and purchase the pipeline reads, and every page passes axe', async () => {
  const page = await env.newPage();
  // The SDK's renderers of actions are a file beside its script, fetched when the first action arrives.
  const renderers: string[] = [];
  page.on('request', (request) => void (new URL(request.url()).pathname === '/sdk/sessionflow.act.js' && renderers.push(request.url())));
  const anonymousId = await visitor(page, '/');
  await expectNoSeriousViolations(page, 'home');
  await screenshot(page, 'shop-home');

  await page.locator('.site-nav').getByRole('link', { name: 'Lighting' }).click();
  await page.waitForURL('**/c/lighting');
  await expectNoSeriousViolations(page, 'category');

  // The stub edge answers the home and category pages with no action: the renderers were never asked for.
  await env.edge.waitFor((all) => all.find((e) => e.anonymousId === anonymousId && e.type === 'page_view' && e.page.url.endsWith('/c/lighting')));
  expect(renderers).toEqual([]);

  await page.locator('[data-testid="product-card"][data-sf-product="sku-1001"] a.product-link').click();
  await page.waitForURL('**/p/sku-1001');
  // The edge's recommendations for this product, in the "Because you viewed" slot.
  const recs = page.locator('[data-sf-slot="recs"] .sf-recs .sf-item');
  await expect.poll(() => recs.evaluateAll((items) => items.map((i) => i.getAttribute('data-sf-product'))), POLL).toEqual(recsFor('sku-1001'));
  await expect(page.locator('#recs-heading').textContent()).resolves.toBe('Because you viewed Arc Floor Lamp');
  // Each recommended item gets its product's picture, which the shop draws.
  const pictures = page.locator('[data-sf-slot="recs"] .sf-item img.sf-thumb');
  await expect.poll(() => pictures.evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth > 0 && new URL((i as HTMLImageElement).src).pathname)), POLL).toEqual(recsFor('sku-1001').map((id) => `/pictures/${id}.svg`));
  await expectNoSeriousViolations(page, 'product with recommendations');
  // Rendered by the renderers, fetched from beside the script for this page's recommendations.
  expect(renderers).toEqual([`${env.site.url}/sdk/sessionflow.act.js`]);
  await page.locator('#recs-heading').scrollIntoViewIfNeeded();
  await screenshot(page, 'shop-product-recs');

  await page.locator('[data-quantity]').fill('2');
  await page.locator('[data-testid="add-to-cart"]').click();
  await expect.poll(() => page.locator('[data-testid="cart-count"]').textContent(), POLL).toBe('2');

  await page.locator('[data-testid="search-input"]').fill('oak');
  await page.locator('[data-testid="search-input"]').press('Enter');
  await page.waitForURL('**/search?q=oak');
  const results = await page.locator('[data-testid="product-card"]').count();
  expect(results).toBeGreaterThan(0);
  await expectNoSeriousViolations(page, 'search results');

  await page.locator('.cart-link').click();
  await page.waitForURL('**/cart');
  await expect(page.locator('[data-testid="cart-line"]').count()).resolves.toBe(1);
  await expectNoSeriousViolations(page, 'cart');
  await screenshot(page, 'shop-cart');

  await page.locator('[data-testid="checkout-link"]').click();
  await page.waitForURL('**/checkout');
  await expectNoSeriousViolations(page, 'checkout');
  await page.getByLabel('Full name').fill('Ada Lovelace');
  await page.getByLabel('Email').fill('ada@example.com');
  await page.getByLabel('Street and number').fill('Keizersgracht 1');
  await page.getByLabel('Postcode').fill('1015 CJ');
  await page.getByLabel('City').fill('Amsterdam');
  await page.getByLabel('Country').fill('Netherlands');
  await page.locator('[data-testid="checkout-submit"]').click();
  const confirmation = page.locator('[data-testid="order-confirmation"]');
  await confirmation.waitFor({ state: 'visible' });
  const orderId = (await confirmation.getAttribute('data-order-id'))!;
  await expect(page.locator('[data-testid="cart-count"]').textContent()).resolves.toBe('0');
  await expectNoSeriousViolations(page, 'order');

  // The order page's own page view comes last; by then everything before it has been sent or goes with it.
  const events = await env.edge.waitFor((all) => {
    const mine = all.filter((e) => e.anonymousId === anonymousId);
    return mine.some((e) => e.type === 'page_view' && e.page.url.includes('/orders/')) && tracks(mine, 'purchase').length > 0 ? mine : undefined;
  });
  expect(env.edge.invalid).toEqual([]);
  const views = events.filter((e) => e.type === 'page_view').map((e) => path(e.page.url));
  expect(views).toEqual(['/', '/c/lighting', '/p/sku-1001', '/search?q=oak', '/cart', '/checkout', `/orders/${orderId}`]);
  expect(tracks(events, PRODUCT_VIEW_TRACK).map((e) => e.props)).toEqual([{ productId: 'sku-1001', category: 'lighting', priceCents: 14900 }]);
  expect(tracks(events, 'add_to_cart').map((e) => e.props)).toEqual([{ productId: 'sku-1001', category: 'lighting', quantity: 2, priceCents: 14900 }]);
  expect(tracks(events, 'search').map((e) => e.props)).toEqual([{ query: 'oak', results }]);
  expect(tracks(events, 'purchase').map((e) => e.props)).toEqual([{ orderId, items: [{ productId: 'sku-1001', quantity: 2, priceCents: 14900 }], revenueCents: 29800, currency: 'EUR' }]);
  // Each track belongs to the page it happened on.
  const pageOf = (e: SessionflowEvent) => path(e.page.url);
  expect(pageOf(tracks(events, PRODUCT_VIEW_TRACK)[0]!)).toBe('/p/sku-1001');
  expect(pageOf(tracks(events, 'search')[0]!)).toBe('/search?q=oak');
  expect(pageOf(tracks(events, 'purchase')[0]!)).toBe('/checkout');
  // Only names the pipeline knows (and the product view it reads), none of our own invention.
  const names = new Set(events.flatMap((e) => (e.type === 'track' && !e.name.startsWith('sf_') ? [e.name] : [])));
  for (const name of names) expect([...KNOWN_TRACK_NAMES, PRODUCT_VIEW_TRACK, 'exit_intent']).toContain(name);
  expect(env.pageErrors).toEqual([]);
});

test('the edge\u2019s cart offer shows in the offer slot, counts an exposure, and can be dismissed', async () => {
  env.edge.offerOnAddToCart = true;
  try {
    const page = await env.newPage();
    const anonymousId = await visitor(page, '/p/sku-1004');
    await page.locator('[data-testid="add-to-cart"]').click();
    const offer = page.locator('[data-sf-slot="offer"] [data-testid="offer"]');
    await offer.waitFor({ state: 'visible' });
    await expect(offer.locator('strong').textContent()).resolves.toBe(STUB_OFFER.title);
    expect(await offer.locator('a').getAttribute('href')).toBe(`${env.site.url}/?product=sku-1005`);
    await expectNoSeriousViolations(page, 'product with an offer');
    const exposure = await env.edge.waitFor((all) => all.find((e) => e.anonymousId === anonymousId && e.type === 'exposure' && e.actionId.startsWith('offer-')));
    expect(exposure).toMatchObject({ slot: 'offer' });
    await offer.getByRole('button', { name: 'Dismiss the offer' }).click();
    await expect(page.locator('[data-sf-slot="offer"]').innerHTML()).resolves.toBe('');
    // The offer's link lands on the product it offers.
    await page.goto(`${env.site.url}/?product=sku-1005`);
    expect(path(page.url())).toBe('/p/sku-1005');
  } finally {
    env.edge.offerOnAddToCart = false;
  }
});

test('sign-in identifies the visitor with the token the shop signed, sign-out resets the SDK', async () => {
  const page = await env.newPage();
  const before = await visitor(page, '/');
  await page.locator('[data-testid="sign-in"]').click();
  await page.locator('[data-testid="sign-out"]').waitFor({ state: 'visible' });
  const identify = await env.edge.waitFor((all) => all.find((e) => e.anonymousId === before && e.type === 'identify'));
  expect(identify).toMatchObject({ userId: DEMO_USER.id, token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) });
  // A later page of the signed-in visitor identifies again, with a fresh token the server rendered.
  await page.reload();
  await page.locator('[data-testid="sign-out"]').click();
  await page.locator('[data-testid="sign-in"]').waitFor({ state: 'visible' });
  const after = await page.evaluate(() => (window as unknown as { sessionflow: { anonymousId(): string } }).sessionflow.anonymousId());
  expect(after).not.toBe(before);
  expect(env.pageErrors).toEqual([]);
});

test.each([
  ['an empty cart', '/cart'],
  ['a checkout with nothing to check out', '/checkout'],
  ['a search for nothing', '/search?q=qqqzz'],
  ['an empty search', '/search'],
  ['an unknown product', '/p/sku-0000'],
  ['another department', '/c/textiles'],
  ['a sold-out product', '/p/sku-1006'],
])('%s passes axe', async (_label, where) => {
  const page = await env.newPage();
  await page.goto(`${env.site.url}${where}`);
  await expectNoSeriousViolations(page, where);
});

test('the home page works on a phone: the header wraps and the quick view opens in place', async () => {
  const page = await env.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await visitor(page, '/');
  const card = page.locator('[data-sf-product="sku-1002"][data-sf-slot="catalog"]');
  await card.locator('[data-action="view"]').click();
  await expect(card.locator('.product-blurb').isVisible()).resolves.toBe(true);
  await expect(card.locator('[data-action="view"]').getAttribute('aria-expanded')).resolves.toBe('true');
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth).toBeLessThanOrEqual(390);
  await expectNoSeriousViolations(page, 'home on a phone');
  expect(productById('sku-1002')).toBeDefined();
});

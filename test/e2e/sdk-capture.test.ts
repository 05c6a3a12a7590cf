/**
 * Capture, end to end: the script-tag SDK in Debian's Chromium on a local shop
 * page, posting to the real edge in workerd; what the edge relays is read at a
 * stub collector. One visit exercises every capture kind and a single-page-app
 * route change, and each kind is checked for the fields it promises.
 */
import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { distinctById, ofType, openShop, sdk, watchPageErrors, withContext } from './support/sdk-page.js';
import { useSdkStack } from './support/sdk-stack.js';
import type { RelayedEvent } from './support/stub-collector.js';

const env = useSdkStack();

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Scrolls so that `selector` sits in the middle of the viewport, or (`peek`) shows only its top quarter at the bottom. */
function scrollTo(page: Page, selector: string, how: 'center' | 'peek' = 'center'): Promise<void> {
  return page.evaluate(
    ({ selector, how }) => {
      const box = document.querySelector(selector)!.getBoundingClientRect();
      const top = how === 'center' ? box.top - (innerHeight - box.height) / 2 : box.top - innerHeight + box.height / 4;
      window.scrollTo(0, window.scrollY + top);
    },
    { selector, how },
  );
}

test('every capture kind arrives with its fields, and an SPA route change starts a new page view', async () => {
  await withContext(env.browser, async (context) => {
    const errors = watchPageErrors(context);
    const firstUrl = `${env.stack.pageOrigin}/shop/start?from=e2e`;
    const { page, ids } = await openShop(context, firstUrl);
    const api = sdk(page);

    await page.click('a.go');
    await api.track('add_to_cart', { productId: 'sku-1001', qty: 2 });

    // Impressions: #seen in full view for 1.5 s (counts), #glimpse for a moment (does not),
    // a quarter of #partial for 1.5 s (does not), #seen again (already counted on this page view).
    await scrollTo(page, '#seen');
    await pause(1500);
    await scrollTo(page, '#glimpse');
    await pause(150);
    await scrollTo(page, '#partial', 'peek');
    await pause(1500);
    await scrollTo(page, '#seen');
    await pause(1500);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await pause(300);

    const spaUrl = `${env.stack.pageOrigin}/shop/next?via=spa`;
    await page.evaluate(() => history.pushState({}, '', '/shop/next?via=spa'));
    await page.click('#buy');
    await api.track('search', { q: 'wool socks' });

    // Leaving the page hides it: the active time of the current page view goes out on the way.
    const hiddenAt = Date.now();
    await page.goto(`${env.stack.pageOrigin}/shop/after`);

    const arrived = await env.stack.collector.waitFor(() => {
      const mine = distinctById(env.stack.collector.eventsOf(ids.anonymousId)).unique;
      const views = ofType(mine, 'page_view');
      const second = views.find((v) => v.page.url === spaUrl);
      const done =
        ofType(mine, 'click').length >= 2 &&
        ofType(mine, 'track').length >= 2 &&
        ofType(mine, 'scroll').length >= 5 &&
        ofType(mine, 'impression', (e) => product(e).id === 'sku-2001').length >= 1 &&
        second !== undefined &&
        ofType(mine, 'dwell', (e) => e.page.pageViewId === second.page.pageViewId).length >= 1;
      return done ? env.stack.collector.eventsOf(ids.anonymousId) : undefined;
    });
    // An event may travel twice (beacon, then the queue of the next page), never as two different events.
    const { unique: events, conflicting } = distinctById(arrived);
    expect(conflicting).toEqual([]);

    // Page views: the landing one, then the route change with a new id and the previous URL as referrer.
    const first = ofType(events, 'page_view', (e) => e.page.url === firstUrl);
    expect(first).toHaveLength(1);
    const firstView = first[0]!.page.pageViewId;
    expect(firstView).toMatch(/^[A-Za-z0-9_.:-]{8,64}$/);
    const second = ofType(events, 'page_view', (e) => e.page.url === spaUrl);
    expect(second).toHaveLength(1);
    const secondView = second[0]!.page.pageViewId;
    expect(secondView).toMatch(/^[A-Za-z0-9_.:-]{8,64}$/);
    expect(secondView).not.toBe(firstView);
    expect(second[0]!.page.referrer).toBe(firstUrl);

    // The product link click: element descriptor and the data-sf-* attributes around it.
    const [linkClick] = ofType(events, 'click', (e) => element(e).tag === 'a');
    expect(linkClick).toBeDefined();
    expect(element(linkClick!)).toMatchObject({ tag: 'a', text: 'Trail runner X', href: `${env.stack.pageOrigin}/product/sku-1001` });
    expect(element(linkClick!).selector).toMatch(/#grid\b.*a\.go$/);
    expect(linkClick!.product).toEqual({ id: 'sku-1001', category: 'shoes', slot: 'grid' });
    expect(linkClick!.page.pageViewId).toBe(firstView);

    const [addToCart] = ofType(events, 'track', (e) => e.name === 'add_to_cart');
    expect(addToCart?.props).toEqual({ productId: 'sku-1001', qty: 2 });
    expect(addToCart?.page.pageViewId).toBe(firstView);

    // Scroll milestones of the first page view, each once.
    const depths = ofType(events, 'scroll', (e) => e.page.pageViewId === firstView).map((e) => e.depth as number);
    expect([...depths].sort((a, b) => a - b)).toEqual([25, 50, 75, 90, 100]);

    // Impressions on the first page view: #seen once; neither the glimpse nor the quarter-visible card.
    const impressions = ofType(events, 'impression', (e) => e.page.pageViewId === firstView).map(product);
    expect(impressions.filter((p) => p.id === 'sku-2001')).toEqual([{ id: 'sku-2001', category: 'socks' }]);
    expect(impressions.map((p) => p.id)).not.toContain('sku-2002');
    expect(impressions.map((p) => p.id)).not.toContain('sku-2003');

    // After the route change, events carry the new page view and URL.
    const [buyClick] = ofType(events, 'click', (e) => element(e).tag === 'button');
    expect(element(buyClick!)).toMatchObject({ tag: 'button', text: 'Buy now' });
    expect(element(buyClick!).selector).toMatch(/#buy$/);
    expect(buyClick!.product).toBeUndefined();
    expect(buyClick!.page).toMatchObject({ url: spaUrl, pageViewId: secondView });
    const [search] = ofType(events, 'track', (e) => e.name === 'search');
    expect(search?.props).toEqual({ q: 'wool socks' });
    expect(search?.page).toMatchObject({ url: spaUrl, pageViewId: secondView });

    // Dwell: the first page view's active time when the route changed, the second's when the page was hidden.
    const dwellFirst = ofType(events, 'dwell', (e) => e.page.pageViewId === firstView);
    expect(dwellFirst.length).toBeGreaterThan(0);
    expect(dwellFirst.every((e) => (e.activeMs as number) > 0)).toBe(true);
    const dwellOnHide = ofType(events, 'dwell', (e) => e.page.pageViewId === secondView && e.timestamp >= hiddenAt);
    expect(dwellOnHide).toHaveLength(1);
    expect(dwellOnHide[0]!.activeMs as number).toBeGreaterThan(0);

    // Common fields: one visitor, one session, unique event ids, a sequence number on each.
    const pageViewIds = new Set([firstView, secondView]);
    for (const event of events.filter((e) => pageViewIds.has(e.page.pageViewId))) {
      expect(event.anonymousId).toBe(ids.anonymousId);
      expect(event.sessionId).toBe(ids.sessionId);
      expect(Number.isInteger(event.seq)).toBe(true);
    }
    expect(errors).toEqual([]);
  });
});

function element(event: RelayedEvent): { tag: string; selector?: string; text?: string; href?: string } {
  return event.element as { tag: string; selector?: string; text?: string; href?: string };
}

function product(event: RelayedEvent): { id: string; category?: string; slot?: string } {
  return event.product as { id: string; category?: string; slot?: string };
}

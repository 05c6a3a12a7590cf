// @vitest-environment happy-dom
import { validateEvent, type SessionflowEvent } from '@sessionflow/core';
import { describe, expect, it } from 'vitest';
import { describeClick } from '../src/capture/click.js';
import type { PageSnapshot } from '../src/capture/page.js';
import { resolveConfig } from '../src/config.js';
import { memoryQueue } from '../src/queue/memory-queue.js';
import { createTracker } from '../src/tracker.js';
import { fakeCookies, fakeStore, fakeTransport, queueLength } from './fakes.js';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

function tracker(page: PageSnapshot = { url: 'https://shop.example.com/products?cat=shoes', referrer: 'https://www.google.com/', title: '  Shop  ' }) {
  const transport = fakeTransport();
  const queue = memoryQueue<SessionflowEvent>();
  const t = createTracker({
    config: resolveConfig({ siteKey: 'demo-site-key', endpoint: 'https://edge.example.com' }),
    store: fakeStore(),
    cookies: fakeCookies(),
    queue,
    transport,
    readPage: () => ({ ...page }),
    now: () => NOW,
    newId: () => crypto.randomUUID(),
  });
  return { tracker: t, transport, queue };
}

function expectValid(event: SessionflowEvent | undefined): void {
  const result = validateEvent(JSON.parse(JSON.stringify(event)));
  expect(result.ok ? [] : result.errors).toEqual([]);
}

describe('events the SDK builds', () => {
  it('pass core validation: page_view, click with product, track', () => {
    document.body.innerHTML = `<article data-sf-product="sku-1001" data-sf-category="shoes"><button id="b">Add to cart</button></article>`;
    const { tracker: t } = tracker();
    expectValid(t.page());
    expectValid(t.click(describeClick(document.getElementById('b')!)));
    expectValid(t.track('add_to_cart', { productId: 'sku-1001', price: 89 }));
    expectValid(t.track('search'));
  });

  it('pass core validation: scroll, dwell, impression', () => {
    const { tracker: t } = tracker();
    t.page();
    for (const depth of [25, 50, 75, 90, 100]) expectValid(t.emit({ type: 'scroll', depth }));
    expectValid(t.emit({ type: 'dwell', activeMs: 15_000 }));
    expectValid(t.emit({ type: 'impression', product: { id: 'sku-1001', category: 'shoes', slot: 'grid' } }));
  });

  it('give a later page view (a route change) the previous URL as referrer, and keep each page view\'s URL on its events', () => {
    const page: PageSnapshot = { url: 'https://shop.example.com/', referrer: 'https://www.google.com/', title: 'Home' };
    const { tracker: t } = tracker(page);
    const home = t.page()!;
    page.url = 'https://shop.example.com/products/sku-1001';
    page.title = 'Desk lamp';
    const product = t.page()!;
    const scroll = t.emit({ type: 'scroll', depth: 50 })!;
    expect(home.page).toMatchObject({ url: 'https://shop.example.com/', referrer: 'https://www.google.com/' });
    expect(product.page).toMatchObject({ url: 'https://shop.example.com/products/sku-1001', referrer: 'https://shop.example.com/', title: 'Desk lamp' });
    expect(product.page.pageViewId).not.toBe(home.page.pageViewId);
    expect(scroll.page).toEqual(product.page);
    // The URL moved on before the old page view's last event was sent: the event still names its own page view.
    page.url = 'https://shop.example.com/cart';
    expect(t.emit({ type: 'dwell', activeMs: 1200 })!.page).toMatchObject({ url: 'https://shop.example.com/products/sku-1001', pageViewId: product.page.pageViewId });
  });

  it('pass core validation for pages with odd referrers and very long titles and URLs', () => {
    const { tracker: t } = tracker({
      url: `https://shop.example.com/?q=${'x'.repeat(3000)}`,
      referrer: 'android-app://com.example.app/',
      title: 'T'.repeat(2000),
    });
    expectValid(t.page());
  });

  it('carry identity, session, order and the page view they belong to', () => {
    const { tracker: t } = tracker();
    const view = t.page()!;
    const click = t.click({ element: { tag: 'button' }, product: { id: 'sku-1001' } })!;
    expect(view).toMatchObject({
      type: 'page_view',
      schemaVersion: 1,
      anonymousId: t.anonymousId(),
      sessionId: t.sessionId(),
      timestamp: NOW,
      seq: 0,
      page: { url: 'https://shop.example.com/products?cat=shoes', referrer: 'https://www.google.com/', title: 'Shop' },
    });
    expect(click).toMatchObject({ type: 'click', anonymousId: t.anonymousId(), sessionId: t.sessionId(), seq: 1 });
    expect(click.page.pageViewId).toBe(view.page.pageViewId);
    expect(click.eventId).not.toBe(view.eventId);
    expect(t.page()!.page.pageViewId).not.toBe(view.page.pageViewId);
  });

  it('ignores track calls without a name', () => {
    const { tracker: t, queue } = tracker();
    expect(t.track('   ')).toBeUndefined();
    return expect(queueLength(queue)).resolves.toBe(0);
  });

  it('leave the tracker as one JSON batch to the collect URL', async () => {
    const { tracker: t, transport } = tracker();
    t.page();
    t.track('purchase', { orderId: 'o-1' });
    await t.flush();
    expect(transport.sent).toHaveLength(1);
    expect(transport.sent[0]?.url).toBe('https://edge.example.com/v1/collect?site=demo-site-key');
    expect(transport.sent[0]?.body.events.map((e) => e.type)).toEqual(['page_view', 'track']);
  });
});


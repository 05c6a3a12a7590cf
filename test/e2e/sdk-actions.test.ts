/**
 * Actuators end to end: a collect response from the real edge, with actions
 * added on its way back to the page, is rendered by the SDK's built-in banner
 * and recommendations renderers into the slots the page reserved; each render
 * is reported as an exposure event; markup in an action's text stays text.
 * The renderers are a file of their own beside the script tag's
 * (`sessionflow.act.js`): fetched once the first action arrives, never by a
 * page that receives none.
 */
import type { BrowserContext } from 'playwright-core';
import { expect, test } from 'vitest';
import { SDK_RENDERERS } from './support/sdk-page-server.js';
import { distinctById, ofType, openShop, sdk, watchCollectRequests, watchPageErrors, withContext } from './support/sdk-page.js';
import { useSdkStack } from './support/sdk-stack.js';

const env = useSdkStack();

/** Every request of the context's pages for the renderers' file. */
function watchRenderersRequests(context: BrowserContext): string[] {
  const requested: string[] = [];
  context.on('request', (request) => {
    if (new URL(request.url()).pathname === `/sdk/${SDK_RENDERERS}`) requested.push(request.url());
  });
  return requested;
}

const MARKUP_TITLE = '<img src=x onerror="window.__sfInjected=1">Deal of the day';
const MARKUP_TEXT = '<b>bold</b><script>window.__sfInjected=2</script>';

const ACTIONS = [
  {
    id: 'act-banner-0001',
    kind: 'banner',
    experiment: 'exp-hero',
    variant: 'sale',
    title: 'Summer sale',
    text: '20% off trail shoes',
    href: 'https://shop.example/sale',
    cta: 'Shop now',
  },
  {
    id: 'act-recs-0001',
    kind: 'recs',
    experiment: 'exp-recs',
    variant: 'cooccurrence',
    title: 'Picked for you',
    items: [
      { id: 'sku-3001', name: 'Trail sock', href: 'https://shop.example/p/sku-3001', price: '€9.00' },
      { id: 'sku-3002', name: 'Running cap', href: 'https://shop.example/p/sku-3002', price: '€19.00' },
    ],
  },
  { id: 'act-promo-0001', kind: 'banner', slot: 'promo', experiment: 'exp-promo', variant: 'b', title: MARKUP_TITLE, text: MARKUP_TEXT },
];

test('a banner and a recommendations action are rendered into their slots, exposures are sent, markup stays text', async () => {
  await withContext(env.browser, async (context) => {
    const errors = watchPageErrors(context);
    const renderers = watchRenderersRequests(context);
    let injected = false;
    // The first collect answer of the real edge comes back with the actions in it.
    await context.route(
      (url) => url.pathname === '/v1/collect',
      async (route) => {
        const response = await route.fetch();
        if (injected || response.status() !== 200) return route.fulfill({ response });
        injected = true;
        const answer = (await response.json()) as Record<string, unknown>;
        await route.fulfill({ response, json: { ...answer, actions: ACTIONS } });
      },
    );
    const { page, ids } = await openShop(context, `${env.stack.pageOrigin}/shop/actions`);

    const banner = page.locator('[data-sf-slot="banner"] .sf-banner');
    await banner.waitFor();
    await expect.poll(() => banner.locator('.sf-title').textContent()).toBe('Summer sale');
    expect(await banner.locator('.sf-text').textContent()).toBe('20% off trail shoes');
    const cta = banner.locator('a.sf-cta');
    expect(await cta.textContent()).toBe('Shop now');
    expect(await cta.getAttribute('href')).toBe('https://shop.example/sale');

    const recs = page.locator('[data-sf-slot="recs"] .sf-recs');
    await recs.waitFor();
    expect(await recs.locator('.sf-title').textContent()).toBe('Picked for you');
    const items = recs.locator('ul > li.sf-item');
    expect(await items.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-sf-product')))).toEqual(['sku-3001', 'sku-3002']);
    expect(await items.first().locator('a').getAttribute('href')).toBe('https://shop.example/p/sku-3001');
    expect(await items.first().locator('a').textContent()).toContain('Trail sock');
    expect(await items.first().locator('.sf-price').textContent()).toBe('€9.00');

    // Only into the slots reserved for them.
    expect(await page.locator('.sf-banner').count()).toBe(2);
    expect(await page.locator('.sf-recs').count()).toBe(1);

    const promo = page.locator('[data-sf-slot="promo"]');
    await promo.locator('.sf-banner').waitFor();
    expect(await promo.locator('.sf-title').textContent()).toBe(MARKUP_TITLE);
    expect(await promo.locator('.sf-text').textContent()).toBe(MARKUP_TEXT);
    expect(await promo.locator('img, b, script').count()).toBe(0);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __sfInjected?: unknown }).__sfInjected)).toBeUndefined();

    // One exposure per rendered action, naming it and its experiment arm.
    await env.stack.collector.waitFor(() => {
      const exposed = new Set(ofType(env.stack.collector.eventsOf(ids.anonymousId), 'exposure').map((e) => e.actionId));
      return ACTIONS.every((a) => exposed.has(a.id)) ? true : undefined;
    });
    // A second exposure for the same render would come with a later flush.
    await new Promise((r) => setTimeout(r, 2000));
    const arrived = env.stack.collector.eventsOf(ids.anonymousId);
    const { unique, conflicting } = distinctById(arrived);
    expect(conflicting).toEqual([]);
    const exposures = ofType(unique, 'exposure').map((e) => ({ actionId: e.actionId, experiment: e.experiment, variant: e.variant }));
    expect(exposures.sort((a, b) => String(a.actionId).localeCompare(String(b.actionId)))).toEqual(
      ACTIONS.map((a) => ({ actionId: a.id, experiment: a.experiment, variant: a.variant })).sort((a, b) => a.actionId.localeCompare(b.actionId)),
    );
    expect(ofType(unique, 'exposure').every((e) => e.sessionId === ids.sessionId)).toBe(true);
    // The renderers came from beside the script, once, for three actions.
    expect(renderers).toEqual([`${env.stack.pageOrigin}/sdk/${SDK_RENDERERS}`]);
    expect(errors).toEqual([]);
  });
});

test('a page that receives no action never asks for the renderers, and one that receives a kind the site renders itself neither', async () => {
  await withContext(env.browser, async (context) => {
    const errors = watchPageErrors(context);
    const renderers = watchRenderersRequests(context);
    const sent = watchCollectRequests(context);
    // Every answer of the real edge reaches the page without actions, but for one the site's own handler takes.
    await context.route(
      (url) => url.pathname === '/v1/collect',
      async (route) => {
        const response = await route.fetch();
        if (response.status() !== 200) return route.fulfill({ response });
        const answer = (await response.json()) as Record<string, unknown>;
        const tracked = (JSON.parse(route.request().postData() ?? '{}') as { events?: { name?: string }[] }).events?.some((e) => e.name === 'ask_offer');
        await route.fulfill({ response, json: { ...answer, actions: tracked ? [{ id: 'act-offer-0001', kind: 'offer', title: 'Free shipping' }] : [] } });
      },
    );
    const { page, ids } = await openShop(context, `${env.stack.pageOrigin}/shop/no-actions`);
    await page.evaluate(() => {
      const w = window as unknown as { __offers: string[]; sessionflow: { on(e: 'action', h: (a: { id: string }) => boolean): void } };
      w.__offers = [];
      w.sessionflow.on('action', (action) => (w.__offers.push(action.id), true));
    });
    await page.locator('button.add').click();
    await page.mouse.wheel(0, 1500);
    await env.stack.collector.waitFor(() => (ofType(env.stack.collector.eventsOf(ids.anonymousId), 'click').length > 0 ? true : undefined));
    expect(sent.length).toBeGreaterThan(0);

    await sdk(page).track('ask_offer');
    await expect.poll(() => page.evaluate(() => (window as unknown as { __offers: string[] }).__offers)).toEqual(['act-offer-0001']);
    // The handler rendered it: its exposure is sent like any other.
    await env.stack.collector.waitFor(() => (ofType(env.stack.collector.eventsOf(ids.anonymousId), 'exposure').length > 0 ? true : undefined));
    expect(renderers).toEqual([]);
    expect(errors).toEqual([]);
  });
});

/**
 * The demo shop's single-page app (`/app`, the SDK bundled from npm) against
 * the real edge in workerd: each History API route change is a page view the
 * edge relays, session-stamped, with the app's product views on their routes;
 * and the edge's decision on the session (the lighting banner once the
 * product views lean to lighting) renders into the app's banner slot without a page load.
 */
import { DEMO_RULES } from '@sessionflow/core';
import { expect, test } from 'vitest';
import { useShopEdgeStack } from './support/shop-stack.js';

const env = useShopEdgeStack();

const path = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

test('route changes in the app are page views at the edge, and the edge\u2019s banner comes into the app\u2019s slot', async () => {
  const context = await env.browser.newContext();
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${env.shopUrl}/app`);
    await page.locator('html[data-app="ready"]').waitFor({ state: 'attached' });
    await page.evaluate(() => ((window as unknown as { appMark: number }).appMark = 7));

    await page.locator('.site-nav').getByRole('link', { name: 'Lighting' }).click();
    await page.waitForURL('**/app/c/lighting');
    const lighting = ['sku-1001', 'sku-1002'];
    for (const id of lighting) {
      await page.locator(`[data-sf-product="${id}"] a.product-link`).click();
      await page.waitForURL(`**/app/p/${id}`);
      await page.goBack();
      await page.waitForURL('**/app/c/lighting');
    }
    // By now the session's product views (the cards' clicks and the pages' product_view) are all lighting: the banner rule's case.
    await page.locator('[data-sf-product="sku-1001"] a.product-link').click();
    await page.waitForURL('**/app/p/sku-1001');

    const rule = DEMO_RULES.rules.find((r) => r.id === 'category-banner.lighting')!;
    const banner = page.locator('[data-sf-slot="banner"] .sf-banner');
    await banner.waitFor({ state: 'visible', timeout: 15_000 });
    await expect(banner.locator('.sf-title').textContent()).resolves.toBe(rule.actions[0]!.title);
    expect(await page.evaluate(() => (window as unknown as { appMark?: number }).appMark)).toBe(7);

    const routes = ['/app', '/app/c/lighting', '/app/p/sku-1001', '/app/c/lighting', '/app/p/sku-1002', '/app/c/lighting', '/app/p/sku-1001'];
    const relayed = await env.collector.waitFor((arrivals) => {
      const views = arrivals.filter((a) => a.event.type === 'page_view' && path(a.event.page.url).startsWith('/app'));
      return views.length >= routes.length ? arrivals.map((a) => a.event) : undefined;
    });
    const views = relayed.filter((e) => e.type === 'page_view');
    expect(views.map((e) => path(e.page.url))).toEqual(routes);
    expect(new Set(views.map((e) => e.page.pageViewId)).size).toBe(routes.length);
    // One visitor, one session, as the edge stamped them.
    expect(new Set(relayed.map((e) => e.anonymousId)).size).toBe(1);
    expect(new Set(relayed.map((e) => e.sessionId)).size).toBe(1);
    const productViews = relayed.filter((e) => e.type === 'track' && e['name'] === 'product_view');
    expect(productViews.map((e) => [(e['props'] as { productId: string }).productId, path(e.page.url)])).toEqual([
      ['sku-1001', '/app/p/sku-1001'],
      ['sku-1002', '/app/p/sku-1002'],
      ['sku-1001', '/app/p/sku-1001'],
    ]);
    const exposure = await env.collector.waitFor((arrivals) => arrivals.find((a) => a.event.type === 'exposure' && a.event['actionId'] === 'category-banner.lighting:0'));
    // Shown on whichever route the edge's answer came back to, in the app.
    expect(routes).toContain(path(exposure.event.page.url));
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});

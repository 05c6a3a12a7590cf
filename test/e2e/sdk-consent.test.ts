/**
 * Consent end to end: on a site that requires it, nothing leaves the browser
 * and nothing is stored until the visitor grants analytics; then the events
 * captured meanwhile (the landing page view first) go to the edge.
 */
import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { distinctById, ofType, sdk, waitForSdk, watchCollectRequests, watchPageErrors, withContext } from './support/sdk-page.js';
import { useSdkStack } from './support/sdk-stack.js';

const env = useSdkStack();

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the SDK may have left in the page's storage: localStorage keys and IndexedDB databases. */
function storedByPage(page: Page): Promise<{ localStorage: string[]; indexedDb: string[] }> {
  return page.evaluate(async () => ({
    localStorage: Object.keys(localStorage),
    indexedDb: (await indexedDB.databases()).map((db) => db.name ?? ''),
  }));
}

test('consent required and not given: nothing sent or stored; granted: the held events go, the landing page view first', async () => {
  await withContext(env.browser, async (context) => {
    const errors = watchPageErrors(context);
    const sent = watchCollectRequests(context);
    const toEdge: string[] = [];
    context.on('request', (request) => void (request.url().startsWith(env.stack.edgeUrl) && toEdge.push(`${request.method()} ${request.url()}`)));
    const page = await context.newPage();
    const landingUrl = `${env.stack.pageOrigin}/shop/consent?sf-require-consent=true`;
    await page.goto(landingUrl);
    await waitForSdk(page, { ids: false });
    const api = sdk(page);

    await page.click('a.go');
    await api.track('add_to_cart', { productId: 'sku-1001' });
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    // Well past the flush interval and the impression delay: anything that would leave has had its chance.
    await pause(2500);

    expect(sent).toEqual([]);
    expect(toEdge).toEqual([]);
    const stored = await storedByPage(page);
    expect(stored.localStorage.filter((key) => key.startsWith('sf_'))).toEqual([]);
    expect(stored.indexedDb).not.toContain('sessionflow');
    expect((await context.cookies()).filter((c) => c.name.startsWith('sf_')).map((c) => c.name)).toEqual([]);

    const grantedAt = Date.now();
    await api.consent({ analytics: true });
    const anonymousId = await api.anonymousId();
    expect(anonymousId).toMatch(/^[A-Za-z0-9_.:-]{8,64}$/);

    const arrived = await env.stack.collector.waitFor(() => {
      const mine = env.stack.collector.eventsOf(anonymousId!);
      const ready = ofType(mine, 'page_view').length > 0 && ofType(mine, 'click').length > 0 && ofType(mine, 'track').length > 0;
      return ready ? mine : undefined;
    });
    const { unique: events, conflicting } = distinctById(arrived);
    expect(conflicting).toEqual([]);
    const [view] = ofType(events, 'page_view');
    expect(view!.page.url).toBe(landingUrl);
    expect(view!.timestamp).toBeLessThan(grantedAt);
    const [click] = ofType(events, 'click');
    expect(click!.product).toMatchObject({ id: 'sku-1001' });
    expect(click!.timestamp).toBeLessThan(grantedAt);
    const [track] = ofType(events, 'track');
    expect(track).toMatchObject({ name: 'add_to_cart', props: { productId: 'sku-1001' } });
    expect(track!.timestamp).toBeLessThan(grantedAt);
    expect(new Set(events.map((e) => e.sessionId)).size).toBe(1);

    // Granted, the ids are kept first-party as usual.
    expect(await page.evaluate(() => localStorage.getItem('sf_aid'))).toBe(anonymousId);
    expect(errors).toEqual([]);
  });
});

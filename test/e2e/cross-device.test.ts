/**
 * Cross-device, on real parts: one person signs in on two devices (two
 * browser contexts, two anonymous ids). What they look at on the first
 * reaches the pipeline through the edge, the collector and Kafka, is stitched
 * to their user id, and changes the recommendations the edge gives the second
 * device; a third device, not signed in, doing the same as the second, does
 * not get them.
 */
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { anonymousIdIn, localExperiment } from './support/experiments.js';
import { useLoopStack } from './support/loop-stack.js';

const env = useLoopStack(['pipeline']);
const USER = 'demo-user-1'; // what the storefront's Sign in button identifies as

async function device(anonymousId: string): Promise<Page> {
  const context = await env.browser.newContext();
  await context.addCookies([{ name: 'sf_aid', value: anonymousId, url: env.stack.demoUrl! }]);
  const page = await context.newPage();
  await page.goto(`${env.stack.demoUrl}/`);
  await page.waitForFunction((id) => window.sessionflow?.anonymousId() === id, anonymousId);
  return page;
}

const view = (page: Page, productId: string) => page.locator(`[data-sf-product="${productId}"][data-sf-slot="catalog"] [data-action="view"]`).click();

async function recommendedOnProductPage(page: Page, productId: string): Promise<string[]> {
  const recs = page.locator('[data-sf-slot="recs"] .sf-recs');
  for (let i = 0; (await recs.count()) === 0 && i < 40; i++) {
    await view(page, productId);
    await page.waitForTimeout(500);
  }
  await recs.waitFor({ state: 'visible', timeout: 10_000 });
  return recs.locator('.sf-item').evaluateAll((items) => items.map((item) => item.getAttribute('data-sf-product') ?? ''));
}

async function profileOf(userId: string): Promise<{ recentlyViewed: string[]; anonymousIds: string[] } | undefined> {
  const res = await fetch(`${env.stack.collectorUrl}/v1/profile/${userId}`, { headers: { authorization: `Bearer ${env.stack.readSecret}` } });
  if (res.status === 404) return undefined;
  expect(res.status).toBe(200);
  return (await res.json()) as { recentlyViewed: string[]; anonymousIds: string[] };
}

test('what one device viewed changes the recommendations shown on the same user\'s other device', async () => {
  const experiment = localExperiment('recs-strategy');
  // The devices whose recommendations are compared get session-aware ones (the `similar` variant).
  const [idCrowd, idA, idB, idC] = [anonymousIdIn(experiment, 'popular'), anonymousIdIn(experiment, 'popular'), anonymousIdIn(experiment, 'similar'), anonymousIdIn(experiment, 'similar')];
  const viewedBy = async (anonymousId: string) => (await profileOf(anonymousId))?.recentlyViewed ?? [];

  // Someone else makes four products popular, so popularity alone would not point at what A views.
  const crowd = await device(idCrowd);
  for (const productId of ['sku-1002', 'sku-1003', 'sku-1004', 'sku-1005', 'sku-1002', 'sku-1003', 'sku-1004', 'sku-1005']) await view(crowd, productId);
  await expect.poll(() => viewedBy(idCrowd), { timeout: 20_000, interval: 250 }).toHaveLength(4);

  // Device A: signed in, looks at the throw once.
  const a = await device(idA);
  await a.locator('[data-action="sign-in"]').click();
  await view(a, 'sku-1007');
  await expect.poll(() => viewedBy(USER), { timeout: 20_000, interval: 250 }).toContain('sku-1007');

  // Device B, signed in as the same user, and device C, not signed in, open the same product.
  const b = await device(idB);
  await b.locator('[data-action="sign-in"]').click();
  const onB = await recommendedOnProductPage(b, 'sku-1001');
  const c = await device(idC);
  const onC = await recommendedOnProductPage(c, 'sku-1001');

  // B continues from A: the throw leads B's list; C, the same page without A's history, gets the crowd's products.
  expect(onB[0]).toBe('sku-1007');
  expect(onC).not.toContain('sku-1007');
  expect(onC.length).toBeGreaterThan(0);
  expect([...onB, ...onC]).not.toContain('sku-1001');
  expect((await profileOf(USER))?.anonymousIds.sort()).toEqual([idA, idB].sort());
});

declare global {
  interface Window {
    sessionflow?: { anonymousId(): string | undefined; sessionId(): string | undefined };
  }
}

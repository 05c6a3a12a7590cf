/**
 * The loop on real parts: Debian's Chromium opens the storefront, the page
 * loads the SDK by script tag, a product is clicked; the click reaches Kafka
 * through workerd and the collector, with the page's own ids.
 */
import { expect, test } from 'vitest';
import { decodeEventRecord, type IngestedEvent } from '@sessionflow/core';
import { useLoopStack } from './support/loop-stack.js';

const env = useLoopStack();

test('a product click in the browser lands in sf.events after its page view, with the page ids', async () => {
  const page = await env.browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));

  await page.goto(`${env.stack.demoUrl}/`);
  // The script tag is async: wait until the SDK has made its ids.
  await page.waitForFunction(() => typeof window.sessionflow?.sessionId() === 'string');
  const ids = await page.evaluate(() => ({
    anonymousId: window.sessionflow!.anonymousId()!,
    sessionId: window.sessionflow!.sessionId()!,
  }));

  const card = page.locator('[data-sf-product]').nth(1);
  const productId = await card.getAttribute('data-sf-product');
  expect(productId).toBeTruthy();
  await card.locator('button').first().click();

  const [pageView, click] = await env.events.waitFor((records) => {
    const mine = records
      .map((r) => ({ record: r, event: decodeEventRecord(r.value) }))
      .filter(({ event }) => event.anonymousId === ids.anonymousId);
    const clickAt = mine.findIndex(({ event }) => event.type === 'click');
    const viewAt = mine.findIndex(({ event }) => event.type === 'page_view');
    return clickAt >= 0 && viewAt >= 0 ? [mine[viewAt]!, mine[clickAt]!] : undefined;
  });

  const clickEvent = click.event as Extract<IngestedEvent, { type: 'click' }>;
  expect(clickEvent.sessionId).toBe(ids.sessionId);
  expect(clickEvent.product?.id).toBe(productId);
  expect(click.record.key).toBe(ids.anonymousId);
  expect(clickEvent.ingest.siteKey).toBe(env.stack.siteKey);

  // Keyed by anonymous id, so one partition holds both, in the order they happened.
  expect(pageView.event.sessionId).toBe(ids.sessionId);
  expect(pageView.record.partition).toBe(click.record.partition);
  expect(pageView.record.offset).toBeLessThan(click.record.offset);
  expect(pageView.event.page.pageViewId).toBeTruthy();
  expect(clickEvent.page.pageViewId).toBe(pageView.event.page.pageViewId);
  expect(pageErrors).toEqual([]);
});

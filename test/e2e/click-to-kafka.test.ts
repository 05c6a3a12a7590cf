/**
 * The loop on real parts: Debian's Chromium opens the storefront, the page
 * loads the SDK by script tag, a product is clicked; the click reaches Kafka
 * through workerd and the collector, with the page's own ids.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { decodeEventRecord, type IngestedEvent } from '@sessionflow/core';
import { launchChromium } from './support/browser.js';
import { startTestStack, type TestStack } from './support/stack.js';
import { TopicReader } from './support/topic-reader.js';

let stack: TestStack;
let browser: Browser;
let events: TopicReader;
let failed = false;

beforeAll(async () => {
  stack = await startTestStack(['demo-site']);
  events = await TopicReader.open(stack.kafkaBrokers, `${stack.topicPrefix}.events`);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await events?.close();
  await stack?.close(failed);
});

test('a product click in the browser lands in sf.events after its page view, with the page ids', async (ctx) => {
  ctx.onTestFailed(() => void (failed = true));
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));

  await page.goto(`${stack.demoUrl}/`);
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

  const [pageView, click] = await events.waitFor((records) => {
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
  expect(clickEvent.ingest.siteKey).toBe(stack.siteKey);

  // Keyed by anonymous id, so one partition holds both, in the order they happened.
  expect(pageView.event.sessionId).toBe(ids.sessionId);
  expect(pageView.record.partition).toBe(click.record.partition);
  expect(pageView.record.offset).toBeLessThan(click.record.offset);
  expect(pageView.event.page.pageViewId).toBeTruthy();
  expect(clickEvent.page.pageViewId).toBe(pageView.event.page.pageViewId);
  expect(pageErrors).toEqual([]);
});

declare global {
  interface Window {
    sessionflow?: { anonymousId(): string | undefined; sessionId(): string | undefined };
  }
}

/**
 * The decision loop on real parts: in the storefront, a visitor views three
 * lighting products; the edge's VisitorDO (in workerd) decides the lighting
 * banner, the SDK renders it into the page's reserved slot, and the exposure
 * of that banner travels back through the edge and the collector into Kafka.
 */
import { expect, test } from 'vitest';
import { DEMO_RULES, decodeEventRecord } from '@sessionflow/core';
import { useLoopStack } from './support/loop-stack.js';
import { openStorefront } from './support/storefront.js';

const env = useLoopStack();

test('three lighting products viewed: the lighting banner appears in its slot, and its exposure reaches Kafka', async () => {
  const lighting = DEMO_RULES.rules.find((rule) => rule.id === 'category-banner.lighting');
  expect(lighting).toBeDefined();
  const { page, anonymousId, pageErrors } = await openStorefront(env.browser, env.stack);
  const banner = page.locator('[data-sf-slot="banner"] .sf-banner');
  expect(await banner.count()).toBe(0);

  const cards = page.locator('[data-sf-product][data-sf-category="lighting"]');
  expect(await cards.count()).toBeGreaterThanOrEqual(2);
  await cards.nth(0).locator('[data-action="view"]').click();
  await cards.nth(1).locator('[data-action="view"]').click();
  await cards.nth(0).locator('[data-action="add-to-cart"]').click();

  await banner.waitFor({ state: 'visible', timeout: 15_000 });
  const action = lighting!.actions[0]!;
  expect(await banner.locator('.sf-title').textContent()).toBe(action.title);
  expect(await banner.locator('a.sf-cta').getAttribute('href')).toBe(new URL(action.href!, env.stack.demoUrl).href);

  const exposure = await env.events.waitFor((records) =>
    records
      .map((record) => decodeEventRecord(record.value))
      .find((event) => event.anonymousId === anonymousId && event.type === 'exposure'),
  );
  expect(exposure).toMatchObject({ type: 'exposure', actionId: 'category-banner.lighting:0', slot: 'banner' });
  expect(pageErrors).toEqual([]);
});

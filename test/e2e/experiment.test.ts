/**
 * An experiment on real parts: the storefront's visitor looks at products,
 * the edge (workerd) fills the recommendations slot with the rule of the
 * visitor's `recs-strategy` variant, its items read from the collector's read
 * API (Redis, kept by the pipeline from Kafka), and the exposure the SDK sends
 * reaches Kafka naming the same variant the page showed.
 */
import { expect, test } from 'vitest';
import { DEMO_RULES, assign, decodeEventRecord } from '@sessionflow/core';
import { localExperiment } from './support/experiments.js';
import { useLoopStack } from './support/loop-stack.js';
import { openStorefront } from './support/storefront.js';

const env = useLoopStack(['pipeline']);

test('the recommendations the page shows are those of the visitor\'s variant, and the exposure in Kafka names that variant', async () => {
  const experiment = localExperiment('recs-strategy');
  const { page, anonymousId, pageErrors } = await openStorefront(env.browser, env.stack);
  const expectedVariant = assign(experiment, anonymousId)?.variant;
  expect(expectedVariant).toBeDefined();

  // Looking at products makes it a product page; the slot fills once the edge has read items for it.
  const cards = page.locator('[data-sf-product][data-sf-slot="catalog"]');
  const recs = page.locator('[data-sf-slot="recs"] .sf-recs');
  for (let i = 0; (await recs.count()) === 0 && i < 40; i++) {
    await cards.nth(i % 4).locator('[data-action="view"]').click();
    await page.waitForTimeout(500);
  }
  await recs.waitFor({ state: 'visible', timeout: 10_000 });

  const shownTitle = await recs.locator('.sf-title').textContent();
  const shownRule = DEMO_RULES.rules.find((rule) => rule.actions.some((action) => action.kind === 'recs' && action.title === shownTitle));
  expect(shownRule?.experiment).toEqual({ key: 'recs-strategy', variant: expectedVariant });
  const shownItems = await recs.locator('.sf-item').evaluateAll((items) => items.map((item) => item.getAttribute('data-sf-product')));
  expect(shownItems.length).toBeGreaterThan(0);
  // The storefront sells the skillet out: never recommended.
  expect(shownItems).not.toContain('sku-1006');

  const exposure = await env.events.waitFor((records) =>
    records
      .map((record) => decodeEventRecord(record.value))
      .find((event) => event.anonymousId === anonymousId && event.type === 'exposure' && event.actionId.startsWith('product-recs.')),
  );
  expect(exposure).toMatchObject({ actionId: `${shownRule!.id}:0`, experiment: 'recs-strategy', variant: expectedVariant, slot: 'recs' });
  expect(pageErrors).toEqual([]);
});

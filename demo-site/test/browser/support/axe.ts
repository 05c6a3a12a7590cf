/** Runs axe-core in the page and fails on any serious or critical violation, listing what and where. */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export async function expectNoSeriousViolations(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, `${label} (${page.url()})`).toEqual([]);
  // It did look: a page with nothing checked would pass anything.
  expect(results.passes.length, label).toBeGreaterThan(10);
}

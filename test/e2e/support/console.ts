/**
 * The console driven as a site team would, for the loop tests: logged in with
 * the stack's admin secret, pages found by their `data-testid`s
 * (console/README.md), and accessibility checked with axe.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { TestStack } from './stack.js';

export const testid = (scope: Page | Locator, id: string): Locator => scope.locator(`[data-testid="${id}"]`);

/** A browser context logged in to the stack's console. */
export async function consoleContext(browser: Browser, stack: TestStack): Promise<BrowserContext> {
  if (stack.consoleUrl === undefined) throw new Error('the stack runs no console: start it with the console part');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${stack.consoleUrl}/login`);
  await testid(page, 'login-secret').fill(stack.secrets.admin);
  await testid(page, 'login-submit').click();
  await testid(page, 'nav').waitFor();
  await page.close();
  return context;
}

/** A console page, open and live (its server-sent stream connected). */
export async function openConsolePage(context: BrowserContext, stack: TestStack, path: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${stack.consoleUrl}${path}`);
  await page.locator('[data-testid="live-status"][data-state="live"]').waitFor({ timeout: 10_000 });
  return page;
}

/** axe's serious and critical violations on the page, one line each (empty when there are none). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

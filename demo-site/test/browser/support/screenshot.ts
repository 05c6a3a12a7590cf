/**
 * The README's pictures of the shop, taken by the browser tests when
 * SHOP_SCREENSHOTS names a folder (`SHOP_SCREENSHOTS=docs npm run test:integration -w demo-site`);
 * otherwise nothing is written. JPEG, so they stay small in the repository.
 */
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';

export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env['SHOP_SCREENSHOTS'];
  if (!dir) return;
  await page.screenshot({ path: join(resolve(dir), `${name}.jpg`), type: 'jpeg', quality: 70 });
}

/** The store page in a browser of its own (fresh profile: a first visit), ready to measure. */
import type { Page } from 'playwright-core';
import { launchChromium } from './chromium.js';

export interface OpenPage {
  page: Page;
  chromiumVersion: string;
  close(): Promise<void>;
}

export async function openStorePage(url: string, withSdk: boolean): Promise<OpenPage> {
  const profile = await launchChromium();
  try {
    const page = profile.context.pages()[0] ?? (await profile.context.newPage());
    await page.goto(url, { waitUntil: 'load' });
    if (withSdk) {
      // The tag is async: wait until the SDK has started (it has an anonymous id once init ran).
      await page
        .waitForFunction('typeof window.sessionflow?.anonymousId === "function" && window.sessionflow.anonymousId() !== undefined', undefined, { timeout: 10_000 })
        .catch(() => {
          throw new Error(`the SDK did not start on ${url} within 10 s (window.sessionflow.anonymousId() stayed undefined)`);
        });
    }
    return { page, chromiumVersion: profile.context.browser()?.version() ?? 'unknown', close: profile.close };
  } catch (error) {
    await profile.close();
    throw error;
  }
}

/** Whether performance.now() has the fine resolution of a cross-origin isolated page. */
export function crossOriginIsolated(page: Page): Promise<boolean> {
  return page.evaluate<boolean>('crossOriginIsolated === true');
}

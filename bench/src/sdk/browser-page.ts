/** The store page in a browser of its own (fresh profile: a first visit), ready to measure. */
import type { Page } from 'playwright-core';
import { launchChromium } from './chromium.js';

export interface OpenPage {
  page: Page;
  chromiumVersion: string;
  close(): Promise<void>;
}

/** True in the page once our SDK has started (it has an anonymous id once init ran). */
export const SDK_READY = 'typeof window.sessionflow?.anonymousId === "function" && window.sessionflow.anonymousId() !== undefined';

/** `ready` (an expression, true in the page once its script has started; `true` or the SDK's with a boolean) is waited for up to 10 s. */
export async function openStorePage(url: string, ready: boolean | string): Promise<OpenPage> {
  const profile = await launchChromium();
  try {
    const page = profile.context.pages()[0] ?? (await profile.context.newPage());
    await page.goto(url, { waitUntil: 'load' });
    const started = ready === true ? SDK_READY : ready;
    if (started) {
      // The tags are async: wait until the script has started.
      await page.waitForFunction(started, undefined, { timeout: 10_000 }).catch(() => {
        throw new Error(`the script on ${url} did not start within 10 s (${started} stayed false)`);
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

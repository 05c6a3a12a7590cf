/**
 * The demo storefront driven as a shopper would, for the loop tests: a device
 * is a browser context with its own anonymous id (its `sf_aid` cookie), and
 * what the stack holds about it is read through the collector's read API and
 * the edge's admin inspection, with the stack's own secrets.
 */
import type { Browser, Page, Response } from 'playwright-core';
import { expect } from 'vitest';
import type { IdentityVerdict } from '@sessionflow/core';
import type { TestStack } from './stack.js';

export interface Device {
  page: Page;
  anonymousId: string;
  /** Every collect answer the page got, in order. */
  answers: CollectAnswer[];
}

export interface CollectAnswer {
  status: number;
  actions?: { kind: string; items?: { id: string }[] }[];
  identity?: IdentityVerdict;
}

/** A new device on the storefront with `anonymousId`, its collect answers recorded. */
export async function openDevice(browser: Browser, stack: TestStack, anonymousId: string): Promise<Device> {
  const context = await browser.newContext();
  await context.addCookies([{ name: 'sf_aid', value: anonymousId, url: stack.demoUrl! }]);
  const page = await context.newPage();
  const answers: CollectAnswer[] = [];
  page.on('response', (response: Response) => {
    if (!response.url().includes('/v1/collect')) return;
    response
      .json()
      .then((body: Record<string, unknown>) => answers.push({ status: response.status(), ...body }))
      .catch(() => answers.push({ status: response.status() }));
  });
  await page.goto(`${stack.demoUrl}/`);
  await page.waitForFunction((id) => window.sessionflow?.anonymousId() === id, anonymousId);
  return { page, anonymousId, answers };
}

/** The storefront's `path` in a new page of `browser`, once its SDK has an anonymous id; the page's uncaught errors collected. */
export async function openStorefront(browser: Browser, stack: TestStack, path = '/'): Promise<{ page: Page; anonymousId: string; pageErrors: string[] }> {
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(`${stack.demoUrl}${path}`);
  await page.waitForFunction(() => typeof window.sessionflow?.anonymousId() === 'string');
  const anonymousId = await page.evaluate(() => window.sessionflow!.anonymousId()!);
  return { page, anonymousId, pageErrors };
}

export const viewProduct = (page: Page, productId: string) => page.locator(`[data-sf-product="${productId}"][data-sf-slot="catalog"] [data-action="view"]`).click();

/** Signs in with the storefront's own sign-in (its server signs the token) and waits until the page says so. */
export async function signIn(page: Page): Promise<void> {
  await page.locator('[data-action="sign-in"]').click();
  await page.locator('[data-action="sign-out"]').waitFor({ state: 'visible', timeout: 10_000 });
}

/** The product ids of the recommendations the page shows once a product is opened (opened again until they come). */
export async function recommendedOnProductPage(page: Page, productId: string): Promise<string[]> {
  const recs = page.locator('[data-sf-slot="recs"] .sf-recs');
  for (let i = 0; (await recs.count()) === 0 && i < 40; i++) {
    await viewProduct(page, productId);
    await page.waitForTimeout(500);
  }
  await recs.waitFor({ state: 'visible', timeout: 10_000 });
  return recs.locator('.sf-item').evaluateAll((items) => items.map((item) => item.getAttribute('data-sf-product') ?? ''));
}

export interface StoredProfile {
  kind: 'user' | 'device';
  id: string;
  recentlyViewed: string[];
  anonymousIds: string[];
}

/** A profile as the collector's read API answers it, or undefined when it has none. */
export async function profileOf(stack: TestStack, kind: 'user' | 'device', id: string): Promise<StoredProfile | undefined> {
  const res = await fetch(`${stack.collectorUrl}/v1/profile/${kind}/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${stack.secrets.read}` } });
  if (res.status === 404) return undefined;
  expect(res.status).toBe(200);
  return (await res.json()) as StoredProfile;
}

export interface VisitorInspection {
  exists: boolean;
  state: { verifiedUserId?: string; reads?: { profile: string; recs: string }; session?: { userId?: string } } | null;
  outboxDepth: number;
}

/** What the edge's object for this device holds, through the edge's admin inspection. */
export async function visitorObject(stack: TestStack, anonymousId: string): Promise<VisitorInspection> {
  const res = await fetch(`${stack.edgeUrl}/v1/admin/visitors/${anonymousId}?site=${encodeURIComponent(stack.siteKey)}`, {
    headers: { authorization: `Bearer ${stack.secrets.edgeAdmin}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as VisitorInspection;
}

// The storefront's SDK as the page scripts of every loop test call it.
declare global {
  interface Window {
    sessionflow?: {
      anonymousId(): string | undefined;
      sessionId(): string | undefined;
      identify(userId: string, traits?: Record<string, unknown>, options?: { token?: string }): void;
      flush(): Promise<void>;
    };
  }
}

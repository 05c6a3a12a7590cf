/**
 * What a browser test of the shop runs against: the storefront (its real
 * server, the built SDK and the built single-page app), the stub edge, and
 * one Chromium; each test gets a fresh browser context (its own cookies and
 * storage: a new visitor).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { APP_DIR, startDemoSite, type DemoSite } from '../../../src/server.js';
import { launchChromium } from './chromium.js';
import { startStubEdge, type StubEdge } from './stub-edge.js';

export const SITE_KEY = 'shop-browser-test';

export interface ShopStack {
  site: DemoSite;
  edge: StubEdge;
  browser: Browser;
  /** A new visitor's page; errors in the page are collected in `pageErrors`. */
  newPage(): Promise<Page>;
  pageErrors: string[];
}

export function useShopStack(): ShopStack {
  const env = { pageErrors: [] as string[] } as unknown as ShopStack;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    if (!existsSync(join(APP_DIR, 'shop.js'))) throw new Error(`the single-page app is not built (${APP_DIR}shop.js): npm run build -w demo-site`);
    env.edge = await startStubEdge();
    env.site = await startDemoSite({ port: 0, edgeUrl: env.edge.url, siteKey: SITE_KEY, identitySecret: randomBytes(32).toString('base64url') });
    env.browser = await launchChromium();
  });
  env.newPage = async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => env.pageErrors.push(error.message));
    return page;
  };
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.site?.close();
    await env.edge?.close();
  });
  return env;
}

/**
 * The demo shop against the real edge, without Kafka: the storefront
 * (infra's demo-site process, its built server, SDK and single-page app), the
 * edge in workerd allowing the storefront's origin, and a stub collector that
 * keeps what the edge relays. Enough to see what the shop's pages send
 * through the edge and what the edge decides for them on the session alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, generateSecrets, startDemoSiteProcess, startEdgeProcess, type HttpService } from '@sessionflow/infra';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchChromium } from './browser.js';
import { startStubCollector, type StubCollector } from './stub-collector.js';

export const SHOP_SITE_KEY = 'demo-site-key';

export interface ShopEdgeStack {
  shopUrl: string;
  collector: StubCollector;
  browser: Browser;
}

export function useShopEdgeStack(): ShopEdgeStack {
  const env = {} as ShopEdgeStack;
  let dir = '';
  let edge: HttpService | undefined;
  let shop: HttpService | undefined;
  let failed = false;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sessionflow-shop-e2e-'));
    const secrets = generateSecrets([SHOP_SITE_KEY]);
    env.collector = await startStubCollector();
    const [edgePort, shopPort] = [await freePort(), await freePort()];
    env.shopUrl = `http://127.0.0.1:${shopPort}`;
    edge = await startEdgeProcess({
      port: edgePort,
      collectorUrl: env.collector.url,
      secret: secrets.relay,
      adminSecret: secrets.edgeAdmin,
      sites: { [SHOP_SITE_KEY]: { origins: [env.shopUrl] } },
      siteSecrets: secrets.sites,
      persistDir: path.join(dir, 'wrangler'),
      logFile: path.join(dir, 'logs', 'edge.log'),
    });
    shop = await startDemoSiteProcess({
      port: shopPort,
      edgeUrl: `http://127.0.0.1:${edgePort}`,
      siteKey: SHOP_SITE_KEY,
      identitySecret: secrets.sites[SHOP_SITE_KEY]!.identity,
      logFile: path.join(dir, 'logs', 'demo-site.log'),
    });
    env.browser = await launchChromium();
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') failed = true;
  });
  afterAll(async () => {
    await env.browser?.close();
    await shop?.stop();
    await edge?.stop();
    await env.collector?.close();
    if (failed) process.stderr.write(`[shop-stack] logs kept in ${dir}\n`);
    else if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return env;
}

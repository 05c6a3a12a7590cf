/**
 * What an SDK test runs against: the real edge in workerd (infra's
 * startEdgeProcess, the same launcher the stack uses for its `edge` part),
 * relaying to a stub collector, and a page server on an origin the edge allows
 * for the site key. No Kafka: what the SDK sent is read where the edge relays it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, generateSecrets, startEdgeProcess, type HttpService, type LocalSecrets } from '@sessionflow/infra';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchChromium } from './browser.js';
import { startPageServer, type PageServer } from './sdk-page-server.js';
import { startStubCollector, type StubCollector } from './stub-collector.js';

export const SDK_SITE_KEY = 'sdk-e2e-site-key';

export interface SdkStack {
  edgeUrl: string;
  /** Where the test shop is served (an origin the edge allows). */
  pageOrigin: string;
  siteKey: string;
  /** The edge's secrets, new for each stack; `secrets.sites[siteKey].identity` signs identity tokens. */
  secrets: LocalSecrets;
  collector: StubCollector;
  dir: string;
  /** Stops everything by its handle; the folder (edge log) is kept when `keepDir`. */
  close(keepDir?: boolean): Promise<void>;
}

export async function startSdkStack(): Promise<SdkStack> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sessionflow-sdk-e2e-'));
  const secrets = generateSecrets([SDK_SITE_KEY]);
  let edge: HttpService | undefined;
  let collector: StubCollector | undefined;
  let pages: PageServer | undefined;
  const close = async (keepDir = false): Promise<void> => {
    await edge?.stop();
    await pages?.close();
    await collector?.close();
    if (keepDir) process.stderr.write(`[sdk-stack] edge log kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  };
  try {
    collector = await startStubCollector();
    const edgePort = await freePort();
    const edgeUrl = `http://127.0.0.1:${edgePort}`;
    pages = await startPageServer({ siteKey: SDK_SITE_KEY, endpoint: () => edgeUrl });
    edge = await startEdgeProcess({
      port: edgePort,
      collectorUrl: collector.url,
      secret: secrets.relay,
      adminSecret: secrets.edgeAdmin,
      sites: { [SDK_SITE_KEY]: { origins: [pages.origin] } },
      siteSecrets: secrets.sites,
      persistDir: path.join(dir, 'wrangler'),
      logFile: path.join(dir, 'logs', 'edge.log'),
    });
    return { edgeUrl, pageOrigin: pages.origin, siteKey: SDK_SITE_KEY, secrets, collector, dir, close };
  } catch (err) {
    await close(true);
    throw err;
  }
}

export interface SdkTestEnv {
  stack: SdkStack;
  browser: Browser;
}

/**
 * One stack and one Chromium for a test file: started before its tests,
 * closed by their handles after them, the edge log kept when a test failed.
 * The fields are set once `beforeAll` has run.
 */
export function useSdkStack(): SdkTestEnv {
  const env = {} as SdkTestEnv;
  let failed = false;
  beforeAll(async () => {
    env.stack = await startSdkStack();
    env.browser = await launchChromium();
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') failed = true;
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.stack?.close(failed);
  });
  return env;
}

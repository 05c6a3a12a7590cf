/**
 * What the SDK's delivery tests run against: the whole loop. Kafka, Redis, the
 * collector and the pipeline (infra's startStack, on free ports), the real
 * edge in workerd in front of that collector (infra's startEdgeProcess,
 * allowing the test shop's origin for the SDK's site key), the test shop's
 * page server, and a reader of `sf.events` from the start. What the SDK sent
 * is counted where it lands (support/downstream.ts), not at a stub.
 */
import path from 'node:path';
import { freePort, startEdgeProcess, type HttpService } from '@sessionflow/infra';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchChromium } from './browser.js';
import { downstream, type Downstream } from './downstream.js';
import { SDK_SITE_KEY } from './sdk-stack.js';
import { startPageServer, type PageServer } from './sdk-page-server.js';
import { startTestStack, type TestStack } from './stack.js';
import { TopicReader } from './topic-reader.js';

export interface SdkLoopStack {
  stack: TestStack;
  edgeUrl: string;
  /** Where the test shop is served (an origin the edge allows). */
  pageOrigin: string;
  siteKey: string;
  /** `sf.events` and the pipeline's results, counted by event id. */
  downstream: Downstream;
  /** Stops everything by its handle; the folder (every part's log) is kept when `keepDir`. */
  close(keepDir?: boolean): Promise<void>;
}

export async function startSdkLoopStack(): Promise<SdkLoopStack> {
  const stack = await startTestStack(['collector', 'pipeline'], { siteKey: SDK_SITE_KEY });
  let reader: TopicReader | undefined;
  let pages: PageServer | undefined;
  let edge: HttpService | undefined;
  const close = async (keepDir = false): Promise<void> => {
    await edge?.stop();
    await pages?.close();
    await reader?.close();
    await stack.close(keepDir);
  };
  try {
    reader = await TopicReader.open(stack.kafkaBrokers, `${stack.topicPrefix}.events`);
    const edgePort = await freePort();
    const edgeUrl = `http://127.0.0.1:${edgePort}`;
    pages = await startPageServer({ siteKey: SDK_SITE_KEY, endpoint: () => edgeUrl });
    edge = await startEdgeProcess({
      port: edgePort,
      collectorUrl: stack.collectorUrl!,
      secret: stack.secrets.relay,
      readSecret: stack.secrets.read,
      adminSecret: stack.secrets.edgeAdmin,
      sites: { [SDK_SITE_KEY]: { origins: [pages.origin] } },
      siteSecrets: stack.secrets.sites,
      persistDir: path.join(stack.dir, 'wrangler'),
      logFile: path.join(stack.dir, 'logs', 'edge.log'),
    });
    return {
      stack,
      edgeUrl,
      pageOrigin: pages.origin,
      siteKey: SDK_SITE_KEY,
      downstream: downstream({
        reader,
        redisUrl: stack.redisUrl!,
        topicPrefix: stack.topicPrefix,
        collectorUrl: stack.collectorUrl!,
        readSecret: stack.secrets.read,
      }),
      close,
    };
  } catch (err) {
    await close(true);
    throw err;
  }
}

export interface SdkLoopEnv {
  stack: SdkLoopStack;
  browser: Browser;
}

/**
 * The loop and one Chromium for a test file: started before its tests, closed
 * by their handles after them, the logs kept when a test failed. The fields
 * are set once `beforeAll` has run.
 */
export function useSdkLoopStack(): SdkLoopEnv {
  const env = {} as SdkLoopEnv;
  let failed = false;
  beforeAll(async () => {
    env.stack = await startSdkLoopStack();
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

/**
 * The loop for a test file (Kafka, collector, edge, storefront, and the parts asked for), one
 * Chromium and a reader of `sf.events`: started before its tests, closed by
 * their handles after them, the logs kept when a test failed.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Part } from '@sessionflow/infra';
import { launchChromium } from './browser.js';
import { startTestStack, type TestStack } from './stack.js';
import { TopicReader } from './topic-reader.js';

export interface LoopTestEnv {
  stack: TestStack;
  browser: Browser;
  /** `<prefix>.events`, read from the start. */
  events: TopicReader;
}

/** `parts` beyond the storefront's path (edge, collector, Kafka), e.g. the pipeline and Redis for recommendations. */
export function useLoopStack(parts: Part[] = []): LoopTestEnv {
  const env = {} as LoopTestEnv;
  let failed = false;
  beforeAll(async () => {
    env.stack = await startTestStack(['demo-site', ...parts]);
    env.events = await TopicReader.open(env.stack.kafkaBrokers, `${env.stack.topicPrefix}.events`);
    env.browser = await launchChromium();
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') failed = true;
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.events?.close();
    await env.stack?.close(failed);
  });
  return env;
}

/**
 * A test file's stack and one Chromium: started before its tests, closed by
 * their handles after them, the stack's folder (its logs) kept when a test
 * failed. The fields are set once `beforeAll` has run.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchChromium } from './browser.js';

export interface WithChromium<S> {
  stack: S;
  browser: Browser;
}

export function useStackWithChromium<S extends { close(keepDir?: boolean): Promise<void> }>(start: () => Promise<S>): WithChromium<S> {
  const env = {} as WithChromium<S>;
  let failed = false;
  beforeAll(async () => {
    env.stack = await start();
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

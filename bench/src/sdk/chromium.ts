/**
 * Debian's Chromium, headless, driven by playwright-core; never a downloaded
 * browser, launched as the end-to-end tests launch it (infra's CHROMIUM_ARGS).
 * Each measurement gets a persistent profile in a fresh user data dir, removed
 * on close: a first visit, with IndexedDB and localStorage on disk as a real
 * visitor's browser has them (an incognito context keeps them in memory).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM_ARGS, chromiumPath } from '@sessionflow/infra';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export interface ChromiumProfile {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<ChromiumProfile> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sessionflow-bench-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: chromiumPath(),
      headless: true,
      viewport: { width: 1280, height: 720 },
      args: [...CHROMIUM_ARGS],
    });
    return {
      context,
      async close() {
        try {
          await context.close();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * One headless Chromium for many first visits: each `newContext()` of it is
 * a context of its own, with no cache, cookies or storage shared with any
 * other (kept in memory, as a private window keeps them), at a small part of
 * the cost of starting a browser.
 */
export async function launchSharedChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: [...CHROMIUM_ARGS] });
}

/**
 * Debian's Chromium, headless, driven by playwright-core; never a downloaded
 * browser. The launch flags are the end-to-end tests' (test/e2e/support/browser.ts).
 * Each measurement gets a persistent profile in a fresh user data dir, removed
 * on close: a first visit, with IndexedDB and localStorage on disk as a real
 * visitor's browser has them (an incognito context keeps them in memory).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface ChromiumProfile {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<ChromiumProfile> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sessionflow-bench-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: chromiumPath,
      headless: true,
      viewport: { width: 1280, height: 720 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
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

/** Debian's Chromium, headless, driven by playwright-core; never a downloaded browser. */
import { chromium, type Browser } from 'playwright-core';

/**
 * playwright-core gives every `launch()` a fresh, empty --user-data-dir of its
 * own and removes it on close, so no profile leaks between runs.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
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
}

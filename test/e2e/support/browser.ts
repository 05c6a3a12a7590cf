/** Debian's Chromium, headless, driven by playwright-core; never a downloaded browser. */
import { CHROMIUM_ARGS, chromiumPath } from '@sessionflow/infra';
import { chromium, type Browser } from 'playwright-core';

/**
 * playwright-core gives every `launch()` a fresh, empty --user-data-dir of its
 * own and removes it on close, so no profile leaks between runs.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: [...CHROMIUM_ARGS] });
}

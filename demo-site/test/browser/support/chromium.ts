/**
 * Debian's Chromium, headless, driven by playwright-core (never a downloaded
 * browser). playwright gives every launch a fresh, empty --user-data-dir and
 * removes it on close. CHROMIUM_PATH points at another binary.
 */
import { chromium, type Browser } from 'playwright-core';

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });

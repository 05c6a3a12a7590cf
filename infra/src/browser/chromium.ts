/**
 * How the project starts a browser, for tests and benchmarks alike: Debian's
 * Chromium (never one a test tool downloads), headless, with nothing of its
 * own running in the background to disturb what is measured.
 */
export const chromiumPath = (): string => process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

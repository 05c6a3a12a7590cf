/**
 * The public API: one tracker per page, made by `init`. Nothing here touches
 * `window` until `init` runs, so importing the package is safe during SSR;
 * calls made before `init` do nothing.
 */
import { resolveConfig, type InitOptions } from './config.js';
import { startBrowserTracker, type BrowserTracker } from './runtime/browser.js';

let running: BrowserTracker | undefined;

/** Starts capture: identity, session, a page view now, then route changes, clicks, scroll depth, dwell and impressions. A second call is ignored. */
export function init(options: InitOptions): void {
  if (running !== undefined) return;
  running = startBrowserTracker(resolveConfig(options));
}

/** A named event, e.g. `track('add_to_cart', { productId: 'sku-1001' })`. */
export function track(name: string, props?: Record<string, unknown>): void {
  running?.tracker.track(name, props);
}

/**
 * A page view the SDK cannot see by itself. Route changes through history
 * (pushState, replaceState, back/forward) and hash changes are page views already.
 */
export function page(): void {
  running?.page();
}

/** Sends what is queued now; resolves when the edge answered or the send failed (the events then stay queued). */
export function flush(): Promise<void> {
  return running?.tracker.flush() ?? Promise.resolve();
}

export function anonymousId(): string | undefined {
  return running?.tracker.anonymousId;
}

export function sessionId(): string | undefined {
  return running?.tracker.sessionId();
}

/** Stops capture and forgets the tracker, so `init` can run again (tests, hot module reload). Not part of the package's exports. */
export function reset(): void {
  running?.stop();
  running = undefined;
}

/**
 * The public API: one tracker per page, made by `init`. Nothing here touches
 * `window` until `init` runs, so importing the package is safe during SSR;
 * calls made before `init` do nothing, except `on`, whose handlers wait for it.
 */
import type { Action } from '@sessionflow/core';
import type { ActionHandler } from './act/dispatch.js';
import { resolveConfig, type InitOptions } from './config.js';
import type { ConsentChoice } from './privacy/consent.js';
import { startBrowserTracker } from './runtime/browser.js';
import type { IdentifyOptions, Tracker } from './tracker.js';

let running: Tracker | undefined;
const handlers = new Set<ActionHandler>();

/** The running tracker's method `name`, or nothing before `init`. */
const call =
  (name: keyof Tracker) =>
  (...args: unknown[]): unknown =>
    (running?.[name] as ((...a: unknown[]) => unknown) | undefined)?.(...args);

/** Starts capture: identity, session, a page view now, then route changes, clicks, scroll depth, dwell, impressions and exit intent. A second call is ignored. */
export function init(options: InitOptions): void {
  running ??= startBrowserTracker(resolveConfig(options), handlers);
}

/** A named event, e.g. `track('add_to_cart', { productId: 'sku-1001' })`. */
export const track: (name: string, props?: Record<string, unknown>) => void = call('track');

/**
 * A page view the SDK cannot see by itself. Route changes through history
 * (pushState, replaceState, back/forward) and hash changes are page views already.
 */
export const page: () => void = call('page');

/**
 * The visitor logged in as `userId`: an `identify` event links this device's
 * anonymous id (and the session so far) to the user, and every later event
 * carries the user id. Identifying as a different user first calls `reset`.
 * The edge links only an identify whose `token` the site's own server signed
 * for this user (see the README's "Identity verification"); call it at sign-in
 * and on each page load of a signed-in visitor, with a fresh token each time.
 */
export const identify: (userId: string, traits?: Record<string, unknown>, options?: IdentifyOptions) => void = call('identify');

/** The visitor logged out: a new anonymous id and a new session, no user. */
export const reset: () => void = call('reset');

/**
 * The visitor's consent, e.g. from a consent banner: `{ analytics, personalization }`.
 * With `requireConsent`, granting analytics sends the events held so far;
 * refusing it discards them, clears the stored ids and the queue.
 */
export const consent: (choice: ConsentChoice) => void = call('consent');

/** Refuses everything, remembered on this device: stored ids and queued events are cleared, nothing more is captured. */
export const optOut: () => void = call('optOut');

export const anonymousId = call('anonymousId') as () => string | undefined;
export const sessionId = call('sessionId') as () => string | undefined;
export const userId = call('userId') as () => string | undefined;

/** Sends what is queued now; resolves when the edge answered or the send failed (the events then stay queued). */
export function flush(): Promise<void> {
  return running?.flush() ?? Promise.resolve();
}

/**
 * Calls `handler` with each action the edge decides (banners and
 * recommendations are also rendered into their slots by the SDK). Return true
 * from the handler when it rendered the action, so an exposure is counted.
 * Returns the function that removes the handler.
 */
export function on(event: 'action', handler: (action: Action) => boolean | void): () => void {
  if (event === 'action' && typeof handler === 'function') handlers.add(handler);
  return () => void handlers.delete(handler);
}

/** Stops capture and forgets the tracker and handlers, so `init` can run again (tests, hot module reload). Not part of the package's exports. */
export function shutdown(): void {
  running?.stop();
  running = undefined;
  handlers.clear();
}

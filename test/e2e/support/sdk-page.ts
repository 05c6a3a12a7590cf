/**
 * Driving the script-tag SDK inside a Chromium page: calls to
 * `window.sessionflow`, its IndexedDB queue, and the collect requests the page
 * puts on the wire (fetches and beacons alike).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RelayedEvent } from './stub-collector.js';

/** Runs `run` in a fresh browser context (its own storage, queue and ids), closed afterwards whatever happens. */
export async function withContext(browser: Browser, run: (context: BrowserContext) => Promise<void>): Promise<void> {
  const context = await browser.newContext();
  try {
    await run(context);
  } finally {
    await context.close();
  }
}

/** The API of sdk-api.md, as the tests call it from Node. */
export interface SdkCalls {
  track(name: string, props?: Record<string, unknown>): Promise<void>;
  page(): Promise<void>;
  flush(): Promise<void>;
  identify(userId: string, traits?: Record<string, unknown>, options?: { token?: string }): Promise<void>;
  reset(): Promise<void>;
  consent(choice: { analytics?: boolean; personalization?: boolean }): Promise<void>;
  optOut(): Promise<void>;
  anonymousId(): Promise<string | undefined>;
  sessionId(): Promise<string | undefined>;
  userId(): Promise<string | undefined>;
}

/** Calls `window.sessionflow.<method>(...args)` in the page; a missing method fails the call, naming it. */
function callSdk(page: Page, method: keyof SdkCalls, args: unknown[]): Promise<unknown> {
  // Trailing undefined arguments are dropped, as a caller in the page would leave them out.
  while (args.length > 0 && args[args.length - 1] === undefined) args = args.slice(0, -1);
  return page.evaluate(
    async ({ method, args }) => {
      const api = (window as unknown as { sessionflow?: Record<string, unknown> }).sessionflow;
      const fn = api?.[method];
      if (typeof fn !== 'function') throw new Error(`window.sessionflow.${method} is not a function`);
      const result: unknown = await (fn as (...a: unknown[]) => unknown).apply(api, args);
      return result ?? undefined;
    },
    { method, args },
  );
}

export function sdk(page: Page): SdkCalls {
  const call = (method: keyof SdkCalls) => (...args: unknown[]) => callSdk(page, method, args);
  return {
    track: call('track') as SdkCalls['track'],
    page: call('page') as SdkCalls['page'],
    flush: call('flush') as SdkCalls['flush'],
    identify: call('identify') as SdkCalls['identify'],
    reset: call('reset') as SdkCalls['reset'],
    consent: call('consent') as SdkCalls['consent'],
    optOut: call('optOut') as SdkCalls['optOut'],
    anonymousId: call('anonymousId') as SdkCalls['anonymousId'],
    sessionId: call('sessionId') as SdkCalls['sessionId'],
    userId: call('userId') as SdkCalls['userId'],
  };
}

/** Waits until the async script tag ran: `window.sessionflow` is the SDK (not a stub) and has made its ids. */
export async function waitForSdk(page: Page, { ids = true } = {}): Promise<void> {
  await page.waitForFunction(
    (ids) => {
      const api = (window as unknown as { sessionflow?: { anonymousId?: () => unknown; sessionId?: () => unknown } }).sessionflow;
      if (typeof api?.anonymousId !== 'function' || typeof api.sessionId !== 'function') return false;
      return !ids || (typeof api.anonymousId() === 'string' && typeof api.sessionId() === 'string');
    },
    ids,
    { timeout: 10_000 },
  );
}

export interface PageIds {
  anonymousId: string;
  sessionId: string;
}

/** Opens `url` in a new tab of `context` and waits for the SDK; returns the tab and the ids the SDK made. */
export async function openShop(context: BrowserContext, url: string): Promise<{ page: Page; ids: PageIds }> {
  const page = await context.newPage();
  await page.goto(url);
  await waitForSdk(page);
  const api = sdk(page);
  return { page, ids: { anonymousId: (await api.anonymousId())!, sessionId: (await api.sessionId())! } };
}

/** The events waiting in the SDK's IndexedDB queue (db `sessionflow`, store `queue`); none when it was never made. */
export function readQueue(page: Page): Promise<RelayedEvent[]> {
  return page.evaluate(async () => {
    // Opening a database that does not exist would create it empty, and the SDK could then not add its store.
    const known = await indexedDB.databases();
    if (!known.some((db) => db.name === 'sessionflow')) return [];
    return new Promise<RelayedEvent[]>((resolve, reject) => {
      const open = indexedDB.open('sessionflow');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains('queue')) {
          db.close();
          return resolve([]);
        }
        const all = db.transaction('queue', 'readonly').objectStore('queue').getAll();
        all.onerror = () => reject(all.error);
        all.onsuccess = () => {
          db.close();
          resolve(all.result as RelayedEvent[]);
        };
      };
    });
  });
}

export interface SentBatch {
  /** When the browser issued it (epoch ms, seen from Node). */
  at: number;
  /** `fetch`, `ping` (a beacon) ... as Chromium classifies it. */
  resourceType: string;
  events: RelayedEvent[];
}

/** Every collect POST the context's pages make from now on, with the events in its body. */
export function watchCollectRequests(context: BrowserContext): SentBatch[] {
  const sent: SentBatch[] = [];
  context.on('request', (request) => {
    if (request.method() !== 'POST' || !request.url().includes('/v1/collect')) return;
    let events: RelayedEvent[] = [];
    try {
      events = (JSON.parse(request.postData() ?? '{}') as { events?: RelayedEvent[] }).events ?? [];
    } catch {
      // Not JSON: counted as a request without events.
    }
    sent.push({ at: Date.now(), resourceType: request.resourceType(), events });
  });
  return sent;
}

/** Uncaught errors of the context's pages: the SDK must never break the page it watches. */
export function watchPageErrors(context: BrowserContext): string[] {
  const errors: string[] = [];
  const watch = (page: Page) => page.on('pageerror', (err) => errors.push(err.message));
  context.pages().forEach(watch);
  context.on('page', watch);
  return errors;
}

/** Events of one type, optionally narrowed, in the order given. */
export function ofType(events: readonly RelayedEvent[], type: string, where: (e: RelayedEvent) => boolean = () => true): RelayedEvent[] {
  return events.filter((e) => e.type === type && where(e));
}

/**
 * The events once each by id, and the ids that arrived as two different events.
 * The same event may travel twice (a beacon, then the queue on the next load);
 * the same id with other content is a bug.
 */
export function distinctById(events: readonly RelayedEvent[]): { unique: RelayedEvent[]; conflicting: string[] } {
  const byId = new Map<string, { event: RelayedEvent; json: string }>();
  const conflicting = new Set<string>();
  for (const event of events) {
    const json = canonicalJson(event);
    const seen = byId.get(event.eventId);
    if (seen === undefined) byId.set(event.eventId, { event, json });
    else if (seen.json !== json) conflicting.add(event.eventId);
  }
  return { unique: [...byId.values()].map((v) => v.event), conflicting: [...conflicting] };
}

/** JSON with object keys sorted, so equal events compare equal whatever order their fields came in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

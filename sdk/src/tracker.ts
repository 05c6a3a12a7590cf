/**
 * The tracker: turns what happens on the page into events (identity, session,
 * page context) and hands them to delivery. Everything it touches comes in
 * through `TrackerDeps`, so it runs in tests without a browser.
 */
import type { SessionPolicy, SessionflowEvent } from '@sessionflow/core';
import type { ClickDescriptor } from './capture/click.js';
import { describePage, type PageSnapshot } from './capture/page.js';
import type { Config } from './config.js';
import type { Logger } from './debug/logger.js';
import { createBatcher, type Batcher } from './delivery/batcher.js';
import { droppedCount } from './delivery/dropped.js';
import type { SenderLock } from './delivery/sender-lock.js';
import { buildEvent, type EventBody } from './event/build.js';
import { loadAnonymousId } from './identity/anonymous-id.js';
import { SessionStore } from './identity/session-store.js';
import type { CookieJar, KeyValueStore } from './identity/storage.js';
import type { EventQueue } from './queue/queue.js';
import type { Transport } from './transport/transport.js';

export interface TrackerDeps {
  config: Config;
  store: KeyValueStore;
  cookies: CookieJar;
  queue: EventQueue<SessionflowEvent>;
  transport: Transport;
  readPage: () => PageSnapshot;
  now: () => number;
  newId: () => string;
  log: Logger;
  sessionPolicy?: SessionPolicy;
  /** False while the browser knows it is offline. */
  online?: () => boolean;
  /** One sender across tabs. */
  lock?: SenderLock;
  /** The site's other tabs, told what this one delivered. */
  tabs?: Pick<BroadcastChannel, 'postMessage' | 'onmessage'>;
}

const MAX_NAME = 128;

/** The page view events belong to: its URL and referrer are fixed when it starts. */
interface PageView {
  id: string;
  url: string;
  referrer: string;
}

export interface Tracker {
  readonly anonymousId: string;
  /**
   * A page view; it starts a new page, whose id, URL and referrer every later
   * event carries. The first page view's referrer is the document's; a later
   * one (a single-page-app route) has the previous page view's URL.
   */
  page(): SessionflowEvent;
  click(click: ClickDescriptor): SessionflowEvent;
  track(name: string, props?: Record<string, unknown>): SessionflowEvent | undefined;
  flush(): Promise<void>;
  /** The page is going away: a last send by beacon. */
  leave(): void;
  sessionId(): string | undefined;
  stop(): void;
  /** Any event of core's schema, e.g. `{ type: 'scroll', depth: 50 }`, on the current page view. */
  emit(body: EventBody): SessionflowEvent;
}

/** A closure rather than a class: it minifies smaller, and the script tag's budget is tight. */
export function createTracker(deps: TrackerDeps): Tracker {
  const { now, newId, readPage, log, store } = deps;
  const anonymousId = loadAnonymousId(store, deps.cookies, newId);
  const sessions = new SessionStore(store, newId, deps.sessionPolicy);
  const first = readPage();
  let view: PageView = { id: newId(), url: first.url, referrer: first.referrer };
  let viewed = false;

  const emit = (body: EventBody): SessionflowEvent => {
    const timestamp = now();
    const { sessionId, seq } = sessions.touch(timestamp);
    // The title is read fresh: single-page apps set it after the route has changed.
    const page = describePage({ url: view.url, referrer: view.referrer, title: readPage().title }, view.id);
    const event = buildEvent({ eventId: newId(), anonymousId, sessionId, seq, timestamp, page }, body);
    log.debug(`${event.type} queued`, event);
    batcher.add(event).catch((error: unknown) => log.debug('queue failed', error));
    return event;
  };

  const track = (name: string, props?: Record<string, unknown>): SessionflowEvent | undefined => {
    const trimmed = typeof name === 'string' ? name.trim().slice(0, MAX_NAME) : '';
    if (trimmed === '') {
      log.debug('track needs a name', name);
      return undefined;
    }
    const plain = typeof props === 'object' && props !== null && !Array.isArray(props);
    return emit(plain ? { type: 'track', name: trimmed, props } : { type: 'track', name: trimmed });
  };

  const batcher: Batcher<SessionflowEvent> = createBatcher(deps.queue, deps.transport, {
    ...deps.config,
    ...deps,
    dropped: droppedCount(store),
    // The collect envelope is fixed ({ events, sentAt }), so the count travels as an event.
    reportDropped: (count) => track('sf_dropped', { count }),
  });

  return {
    anonymousId,
    page() {
      const { url, referrer } = readPage();
      view = { id: newId(), url, referrer: viewed ? view.url : referrer };
      viewed = true;
      return emit({ type: 'page_view' });
    },
    click: (click) => emit({ type: 'click', ...click }),
    track,
    flush: batcher.flush,
    leave: batcher.leave,
    sessionId: () => sessions.currentId(),
    stop: batcher.stop,
    emit,
  };
}

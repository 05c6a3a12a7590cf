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
import { Batcher } from './delivery/batcher.js';
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
}

const MAX_NAME = 128;

/** The page view events belong to: its URL and referrer are fixed when it starts. */
interface PageView {
  id: string;
  url: string;
  referrer: string;
}

export class Tracker {
  readonly anonymousId: string;
  private readonly sessions: SessionStore;
  private readonly batcher: Batcher<SessionflowEvent>;
  private view: PageView;
  private viewed = false;

  constructor(private readonly deps: TrackerDeps) {
    this.anonymousId = loadAnonymousId(deps.store, deps.cookies, deps.newId);
    this.sessions = new SessionStore(deps.store, deps.newId, deps.sessionPolicy);
    const { url, referrer } = deps.readPage();
    this.view = { id: deps.newId(), url, referrer };
    this.batcher = new Batcher(deps.queue, deps.transport, {
      collectUrl: deps.config.collectUrl,
      maxBatch: deps.config.maxBatch,
      flushIntervalMs: deps.config.flushIntervalMs,
      now: deps.now,
      log: deps.log,
    });
  }

  /**
   * A page view; it starts a new page, whose id, URL and referrer every later
   * event carries. The first page view's referrer is the document's; a later
   * one (a single-page-app route) has the previous page view's URL.
   */
  page(): SessionflowEvent {
    const { url, referrer } = this.deps.readPage();
    this.view = { id: this.deps.newId(), url, referrer: this.viewed ? this.view.url : referrer };
    this.viewed = true;
    return this.emit({ type: 'page_view' });
  }

  click(click: ClickDescriptor): SessionflowEvent {
    return this.emit({ type: 'click', ...click });
  }

  track(name: string, props?: Record<string, unknown>): SessionflowEvent | undefined {
    const trimmed = typeof name === 'string' ? name.trim().slice(0, MAX_NAME) : '';
    if (trimmed === '') {
      this.deps.log.debug('track needs a non-empty name; ignored', name);
      return undefined;
    }
    const plain = typeof props === 'object' && props !== null && !Array.isArray(props);
    return this.emit(plain ? { type: 'track', name: trimmed, props } : { type: 'track', name: trimmed });
  }

  flush(): Promise<void> {
    return this.batcher.flush();
  }

  sessionId(): string | undefined {
    return this.sessions.currentId();
  }

  stop(): void {
    this.batcher.stop();
  }

  /** Any event of core's schema, e.g. `{ type: 'scroll', depth: 50 }`, on the current page view. */
  emit(body: EventBody): SessionflowEvent {
    const { now, newId, readPage, log } = this.deps;
    const timestamp = now();
    const { sessionId, seq } = this.sessions.touch(timestamp);
    // The title is read fresh: single-page apps set it after the route has changed.
    const { url, referrer, id } = this.view;
    const page = describePage({ url, referrer, title: readPage().title }, id);
    const event = buildEvent({ eventId: newId(), anonymousId: this.anonymousId, sessionId, seq, timestamp, page }, body);
    log.debug(`${event.type} queued`, event);
    this.batcher.add(event).catch((error: unknown) => log.debug('could not queue event', error));
    return event;
  }
}

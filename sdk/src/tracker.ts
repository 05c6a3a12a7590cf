/**
 * The tracker: turns what happens on the page into events (identity, session,
 * page context), hands them to delivery once the visitor's consent allows, and
 * applies the actions the edge answers with. Everything it touches comes in
 * through `TrackerDeps`, so it runs in tests without a browser.
 */
import { campaignOf, type Action, type Page, type SessionPolicy, type SessionflowEvent } from '@sessionflow/core';
import { dispatcher, type ActionHandler } from './act/dispatch.js';
import type { ClickDescriptor } from './capture/click.js';
import { describeView, titleOf, type PageSnapshot } from './capture/page.js';
import type { Config } from './config.js';
import { debug } from './debug/logger.js';
import { createBatcher } from './delivery/batcher.js';
import { droppedCount } from './delivery/dropped.js';
import type { SenderLock } from './delivery/sender-lock.js';
import { buildEvent, type EventBody } from './event/build.js';
import { forgetAnonymousId, readAnonymousId, saveAnonymousId } from './identity/anonymous-id.js';
import { SESSION_KEY, sessionStore } from './identity/session-store.js';
import type { CookieJar, KeyValueStore } from './identity/storage.js';
import { consent, type ConsentChoice } from './privacy/consent.js';
import { QUEUE_CAPACITY, type EventQueue } from './queue/queue.js';
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
  sessionPolicy?: SessionPolicy;
  /** False while the browser knows it is offline. */
  online?: () => boolean;
  /** One sender across tabs. */
  lock?: SenderLock;
  /** The site's other tabs, told what this one delivered. */
  tabs?: Pick<BroadcastChannel, 'postMessage' | 'onmessage'>;
  /** The browser sends Global Privacy Control or Do-Not-Track. */
  privacySignal?: boolean;
  /** The site's `on('action')` handlers. */
  handlers?: ReadonlySet<ActionHandler>;
  /** Renders a built-in action kind (a banner, recommendations), calling `rendered` once it did. */
  render?: (action: Action, rendered: () => void) => void;
  /** Runs work capture does not need for the event's order (the session's write-back) after capture's task (default: at once). */
  later?: (run: () => void) => unknown;
}

export const USER_ID_KEY = 'sf_uid';

export interface IdentifyOptions {
  /**
   * The site's server's signed word that this visitor is `userId` (a short-lived
   * JWT). It travels in this one identify event and is kept nowhere else.
   */
  token?: string | undefined;
}
const MAX_NAME = 128;

/** The page view events belong to: its URL and referrer are fixed when it starts, described once for all its events. */
interface PageView {
  url: string;
  page: Omit<Page, 'title'>;
}

export interface Tracker {
  anonymousId(): string;
  userId(): string | undefined;
  sessionId(): string | undefined;
  /**
   * A page view; it starts a new page, whose id, URL and referrer every later
   * event carries. The first page view's referrer is the document's; a later
   * one (a single-page-app route) has the previous page view's URL.
   */
  page(): SessionflowEvent | undefined;
  click(click: ClickDescriptor): SessionflowEvent | undefined;
  track(name: string, props?: Record<string, unknown>): SessionflowEvent | undefined;
  /**
   * Links this device's anonymous id to `userId`; later events carry it. A
   * different user than the current one starts afresh (see `reset`). The
   * edge links only what `options.token` (signed by the site's server) vouches for.
   */
  identify(userId: string, traits?: Record<string, unknown>, options?: IdentifyOptions): SessionflowEvent | undefined;
  /** Logout: a new anonymous id and session, no user. */
  reset(): void;
  consent(choice: ConsentChoice): void;
  /** Refuses everything: stored ids and the queue are cleared, nothing more is captured. */
  optOut(): void;
  flush(): Promise<void>;
  /** The page is going away: a last send by beacon. */
  leave(): void;
  stop(): void;
  /** Any event of core's schema, e.g. `{ type: 'scroll', depth: 50 }`, on the current page view; undefined when consent stops capture. */
  emit(body: EventBody): SessionflowEvent | undefined;
}

/** `value` when it is a plain object (props, traits, a JSON answer), else undefined. */
const plain = (value: unknown) => (value?.constructor === Object ? (value as Record<string, unknown>) : undefined);
const nameOf = (value: unknown) => (typeof value === 'string' ? value.trim().slice(0, MAX_NAME) : '');

/** A closure rather than a class: it minifies smaller, and the script tag's budget is tight. */
export function createTracker(deps: TrackerDeps): Tracker {
  const { now, newId, readPage, cookies, config } = deps;
  const privacy = consent(deps.store, config.requireConsent ? 'ask' : config.honorPrivacySignals && deps.privacySignal ? 'deny' : 'open');
  const granted = () => privacy.allows('analytics');
  // Until analytics is allowed, identity lives in memory only: nothing is written to the device.
  const local = new Map<string, string>();
  const store: KeyValueStore = {
    get: (key) => (granted() ? deps.store.get(key) : undefined) ?? local.get(key),
    set(key, value) {
      local.set(key, value);
      if (granted()) deps.store.set(key, value);
    },
    del(key) {
      local.delete(key);
      deps.store.del(key);
    },
  };
  let anonymousId = (granted() && readAnonymousId(deps.store, cookies)) || newId();
  // Kept in memory as well: every event carries it, and a storage read per event costs.
  let userId = store.get(USER_ID_KEY);
  const saveIdentity = () => granted() && saveAnonymousId(deps.store, cookies, anonymousId);
  saveIdentity();
  const sessions = sessionStore(store, newId, deps.sessionPolicy, deps.later);
  const startView = (url: string, referrer: string): PageView => ({ url, page: describeView(url, referrer, newId()) });
  const first = readPage();
  let view = startView(first.url, first.referrer);
  let viewed = false;
  /** Captured while consent is pending: sent if it is granted, dropped if refused. */
  let held: SessionflowEvent[] = [];

  const emit = (body: EventBody): SessionflowEvent | undefined => {
    if (!granted() && !privacy.pending()) return undefined;
    const timestamp = now();
    const { sessionId, seq } = sessions.touch(timestamp, body.type === 'page_view' ? campaignOf(new URL(view.url).searchParams) : undefined);
    // The title is read fresh (the only read of the page here): single-page apps set it after the route has changed.
    const page = { ...view.page, title: titleOf(readPage().title) };
    const event = buildEvent({ eventId: newId(), anonymousId, sessionId, seq, timestamp, page, userId }, body);
    debug(`${event.type} queued`, event);
    if (!granted()) {
      if (held.length < QUEUE_CAPACITY) held.push(event);
    } else {
      batcher.add(event);
    }
    return event;
  };

  const track = (name: string, props?: Record<string, unknown>) => {
    const trimmed = nameOf(name);
    if (trimmed === '') return void debug('track needs a name', name);
    return emit({ type: 'track', name: trimmed, props: plain(props) });
  };

  const actions = dispatcher({
    handlers: deps.handlers ?? new Set(),
    render: deps.render ?? (() => {}),
    allowed: () => privacy.allows('personalization'),
    // Fields left undefined are dropped when the batch is serialised.
    exposed: ({ id, experiment, variant, slot }) => emit({ type: 'exposure', actionId: id, experiment, variant, slot }),
  });

  const batcher = createBatcher(deps.queue, deps.transport, {
    ...config,
    ...deps,
    dropped: droppedCount(deps.store),
    // The collect envelope is fixed ({ events, sentAt }), so the count travels as an event.
    reportDropped: (count) => track('sf_dropped', { count }),
    onAnswer: (answer) => actions.apply(plain(answer)?.['actions']),
    allowed: () => granted(),
  });

  const reset = () => {
    anonymousId = newId();
    userId = undefined;
    store.del(USER_ID_KEY);
    store.del(SESSION_KEY);
    saveIdentity();
  };

  const optOut = () => {
    held = [];
    forgetAnonymousId(deps.store, cookies);
    userId = undefined;
    for (const key of [USER_ID_KEY, SESSION_KEY, 'sf_drop']) store.del(key);
    batcher.clear().catch((error: unknown) => debug('queue failed', error));
  };

  return {
    anonymousId: () => anonymousId,
    userId: () => userId,
    sessionId: () => sessions.currentId(),
    page() {
      const { url, referrer } = readPage();
      view = startView(url, viewed ? view.url : referrer);
      viewed = true;
      actions.reset();
      return emit({ type: 'page_view' });
    },
    click: (click) => emit({ type: 'click', ...click }),
    track,
    identify(user, traits, options) {
      const id = nameOf(user);
      if (id === '') return void debug('identify needs a user id', user);
      if (userId !== undefined && userId !== id) reset();
      userId = id;
      store.set(USER_ID_KEY, id);
      // The token goes in the event and nowhere else: not stored, not reused (it is single-purpose and short-lived).
      return emit({ type: 'identify', userId: id, traits: plain(traits), token: options?.token });
    },
    reset,
    consent(choice) {
      const before = granted();
      privacy.decide(plain(choice) ?? {});
      if (granted() && !before) {
        // What identity made while waiting is stored now, and the held events go.
        local.forEach((value, key) => deps.store.set(key, value));
        saveIdentity();
        const waiting = held;
        held = [];
        waiting.forEach(batcher.add);
      } else if (choice?.analytics === false) optOut();
    },
    optOut() {
      privacy.decide({ analytics: false, personalization: false });
      optOut();
    },
    // Without consent to analytics nothing is sent, and the queue is not even opened.
    flush: () => (granted() ? batcher.flush() : Promise.resolve()),
    leave: () => granted() && batcher.leave(),
    stop: batcher.stop,
    emit,
  };
}

/** Wires the tracker to the real browser: the only module that reaches for window and document. */
import type { SessionflowEvent } from '@sessionflow/core';
import { captureClicks } from '../capture/click.js';
import { captureDwell } from '../capture/dwell.js';
import { captureImpressions } from '../capture/impressions.js';
import { onPageHidden } from '../capture/lifecycle.js';
import { senderLock } from '../delivery/sender-lock.js';
import { createStore } from 'idb-keyval';
import { readDocumentPage } from '../capture/page.js';
import { watchRoute } from '../capture/route.js';
import { captureScroll } from '../capture/scroll.js';
import type { Config } from '../config.js';
import { consoleLogger } from '../debug/logger.js';
import { randomId } from '../identity/ids.js';
import { documentCookies, webStore } from '../identity/storage.js';
import { fallbackQueue } from '../queue/fallback-queue.js';
import { idbQueue } from '../queue/idb-queue.js';
import { memoryQueue } from '../queue/memory-queue.js';
import type { EventBody } from '../event/build.js';
import { createTracker, type Tracker } from '../tracker.js';
import { beacon } from '../transport/beacon.js';
import { fetchTransport } from '../transport/transport.js';

export interface BrowserTracker {
  tracker: Tracker;
  /** A new page view: ends the current one (its dwell) and starts counting scroll and impressions afresh. */
  page(): void;
  /** Removes the listeners and timers and restores history (tests, hot reload). */
  stop(): void;
}

export function startBrowserTracker(config: Config): BrowserTracker {
  const win = window;
  const doc = document;
  const log = consoleLogger(config.debug);
  const now = () => Date.now();
  const nav = win.navigator;
  const tabs = typeof BroadcastChannel === 'function' ? new BroadcastChannel('sessionflow') : undefined;
  const tracker = createTracker({
    config,
    store: webStore(() => win.localStorage),
    cookies: documentCookies(doc, win.location.protocol === 'https:'),
    queue: fallbackQueue(idbQueue<SessionflowEvent>(createStore('sessionflow', 'queue')), () => memoryQueue<SessionflowEvent>(), () =>
      // Said once, whether or not `debug` is on: the site should know events will not outlive the page.
      console.debug('[sessionflow] no IndexedDB: queue in memory'),
    ),
    transport: { ...fetchTransport((input, init) => win.fetch(input, init)), beacon: beacon(nav) },
    online: () => nav.onLine !== false,
    lock: senderLock(nav.locks),
    tabs,
    readPage: () => readDocumentPage(doc),
    now,
    newId: randomId,
    log,
  });
  // Capture must never break the page it watches.
  const safely = (run: () => void) => {
    try {
      run();
    } catch (error) {
      log.debug('capture failed', error);
    }
  };
  const emit = (body: EventBody) => safely(() => tracker.emit(body));
  // One signal ends every listener, observer and timer of capture.
  const lifetime = new AbortController();
  const { signal } = lifetime;
  tracker.page();
  captureClicks(doc, signal, (click) => emit({ type: 'click', ...click }));
  const resetScroll = captureScroll(win, signal, (depth) => emit({ type: 'scroll', depth }));
  const resetImpressions = captureImpressions(win, signal, (product) => emit({ type: 'impression', product }));
  // Before onPageHidden: the dwell reported on hide must be queued before that flush sends.
  const reportDwell = captureDwell(win, signal, now, (activeMs) => emit({ type: 'dwell', activeMs }));
  onPageHidden(win, signal, () => void tracker.flush(), () => tracker.leave());
  win.addEventListener('online', () => void tracker.flush(), { signal });
  const page = () =>
    safely(() => {
      reportDwell();
      tracker.page();
      resetScroll();
      resetImpressions();
    });
  watchRoute(win, signal, page);
  log.debug('started', { anonymousId: tracker.anonymousId, sessionId: tracker.sessionId(), collectUrl: config.collectUrl });
  return {
    tracker,
    page,
    stop() {
      lifetime.abort();
      tracker.stop();
      tabs?.close();
    },
  };
}

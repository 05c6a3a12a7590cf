/** Wires the tracker to the real browser: the only module that reaches for window and document. */
import { LEAVE_TRACK, type SessionflowEvent } from '@sessionflow/core';
import { createStore } from 'idb-keyval';
import type { ActionHandler } from '../act/dispatch.js';
import { RENDERED_KINDS } from '../act/kinds.js';
import { loadRenderers } from '../act/load.js';
import { captureClicks } from '../capture/click.js';
import { captureDwell } from '../capture/dwell.js';
import { captureExitIntent } from '../capture/exit-intent.js';
import { captureImpressions } from '../capture/impressions.js';
import { watchRoute } from '../capture/route.js';
import { captureScroll } from '../capture/scroll.js';
import type { Config } from '../config.js';
import { debug, setDebug } from '../debug/logger.js';
import { senderLock } from '../delivery/sender-lock.js';
import type { EventBody } from '../event/build.js';
import { randomId } from '../identity/ids.js';
import { attempt, documentCookies, rootDomain, webStore } from '../identity/storage.js';
import { fallbackQueue } from '../queue/fallback-queue.js';
import { idbQueue } from '../queue/idb-queue.js';
import { memoryQueue } from '../queue/memory-queue.js';
import { createTracker, type Tracker } from '../tracker.js';
import { fetchTransport } from '../transport/transport.js';

/** The tracker, with `page` also restarting scroll, impressions, dwell and exit intent, and `stop` removing every listener and timer and restoring history (tests, hot reload). */
export function startBrowserTracker(config: Config, handlers: ReadonlySet<ActionHandler>): Tracker {
  setDebug(config.debug);
  const win = window;
  const doc = document;
  const { navigator: nav, location } = win;
  const now = () => Date.now();
  const tabs = typeof BroadcastChannel === 'function' ? new BroadcastChannel('sessionflow') : undefined;
  // Capture must never break the page it watches.
  const safely = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      debug('capture failed', error);
    }
  };
  // Getters, read when asked: an event needs only the title, so it reads only the title.
  const here = {
    get url() {
      return location.href;
    },
    get referrer() {
      return doc.referrer;
    },
    get title() {
      return doc.title;
    },
  };
  const tracker = createTracker({
    config,
    store: webStore(() => win.localStorage),
    cookies: documentCookies(doc, location.protocol === 'https:', attempt(() => rootDomain(doc, location.hostname))),
    queue: fallbackQueue(idbQueue<SessionflowEvent>(createStore('sessionflow', 'queue')), memoryQueue<SessionflowEvent>, () =>
      // Said once, whether or not `debug` is on: the site should know events will not outlive the page.
      console.debug('[sessionflow] no IndexedDB: queue in memory'),
    ),
    transport: fetchTransport(win.fetch.bind(win), nav.sendBeacon?.bind(nav), config.requestTimeoutMs, () => doc.visibilityState === 'hidden'),
    online: () => nav.onLine !== false,
    lock: senderLock(nav.locks),
    tabs,
    readPage: () => here,
    now,
    newId: randomId,
    // The task after capture: a localStorage write is the dearest thing an event could cost it.
    later: (run) => setTimeout(run),
    privacySignal: (nav as { globalPrivacyControl?: boolean }).globalPrivacyControl === true || nav.doNotTrack === '1',
    handlers,
    // Only the kinds the SDK renders itself load the renderers (most pages get no action at all), and
    // in the next frame: a response never renders in the middle of the visitor's input.
    render: (action, rendered) =>
      RENDERED_KINDS.includes(action.kind) &&
      loadRenderers().then(
        ({ renderAction }) => requestAnimationFrame(() => safely(() => renderAction(doc, action) && rendered())),
        (error: unknown) => debug('renderers failed to load', error),
      ),
  });
  const emit = (body: EventBody) => safely(() => tracker.emit(body));
  // One signal ends every listener, observer and timer of capture.
  const lifetime = new AbortController();
  const { signal } = lifetime;
  const listen = (target: EventTarget, type: string, run: () => void) => target.addEventListener(type, run, { signal });
  tracker.page();
  captureClicks(doc, signal, (click) => emit({ type: 'click', ...click }));
  const resetScroll = captureScroll(win, signal, (depth) => emit({ type: 'scroll', depth }));
  const resetImpressions = captureImpressions(win, signal, (product) => emit({ type: 'impression', product }));
  // The edge's cart-abandonment risk reads this track.
  const resetExitIntent = captureExitIntent(doc, signal, () => emit({ type: 'track', name: LEAVE_TRACK }));
  // Before the listeners below: the dwell reported on hide must be queued before that flush sends.
  const reportDwell = captureDwell(win, signal, now, (activeMs) => emit({ type: 'dwell', activeMs }));
  // Hidden may be the last moment a mobile page runs; pagehide is too late for anything but a beacon.
  listen(doc, 'visibilitychange', () => doc.visibilityState === 'hidden' && tracker.flush());
  listen(win, 'pagehide', tracker.leave);
  listen(win, 'online', tracker.flush);
  const page = () =>
    safely(() => {
      reportDwell();
      tracker.page();
      resetScroll();
      resetImpressions();
      resetExitIntent();
    });
  watchRoute(win, signal, page);
  // Marked pure so that the script tag's build, where `debug` is empty, drops the call as well.
  debug('started', /* @__PURE__ */ tracker.anonymousId(), config.collectUrl);
  return {
    ...tracker,
    page: () => void page(),
    stop() {
      lifetime.abort();
      tracker.stop();
      tabs?.close();
    },
  } as Tracker;
}

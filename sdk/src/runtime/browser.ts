/** Wires the tracker to the real browser: the only module that reaches for window and document. */
import type { SessionflowEvent } from '@sessionflow/core';
import { captureClicks } from '../capture/click.js';
import { onPageHidden } from '../capture/lifecycle.js';
import { readDocumentPage } from '../capture/page.js';
import type { Config } from '../config.js';
import { consoleLogger } from '../debug/logger.js';
import { randomId } from '../identity/ids.js';
import { documentCookies, webStore } from '../identity/storage.js';
import { MemoryQueue } from '../queue/memory-queue.js';
import { Tracker } from '../tracker.js';
import { fetchTransport } from '../transport/transport.js';

export interface BrowserTracker {
  tracker: Tracker;
  /** Removes the listeners and timers (tests, hot reload). */
  stop(): void;
}

export function startBrowserTracker(config: Config): BrowserTracker {
  const win = window;
  const doc = document;
  const log = consoleLogger(config.debug);
  const tracker = new Tracker({
    config,
    store: webStore(() => win.localStorage),
    cookies: documentCookies(doc, win.location.protocol === 'https:'),
    queue: new MemoryQueue<SessionflowEvent>(1000, (dropped) => log.debug('queue full; oldest event dropped', dropped)),
    transport: fetchTransport((input, init) => win.fetch(input, init)),
    readPage: () => readDocumentPage(doc),
    now: () => Date.now(),
    newId: randomId,
    log,
  });
  const stopClicks = captureClicks(doc, (click) => {
    try {
      tracker.click(click);
    } catch (error) {
      // Capture must never break the page it watches.
      log.debug('click capture failed', error);
    }
  });
  const stopHidden = onPageHidden(win, doc, () => void tracker.flush());
  tracker.page();
  log.debug('started', { anonymousId: tracker.anonymousId, sessionId: tracker.sessionId(), collectUrl: config.collectUrl });
  return {
    tracker,
    stop() {
      stopClicks();
      stopHidden();
      tracker.stop();
    },
  };
}

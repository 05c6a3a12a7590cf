/**
 * A tab closed right after an event: each run opens the page in a browser
 * context of its own (a first visit; its storage in memory, so a visitor who
 * never comes back: nothing but what leaves the closing page can deliver),
 * waits a moment, tracks one event and closes the tab after a pause: none on
 * even runs (closed as soon as `track` returned), a random one up to 1.2 s on
 * odd runs (a close that lands while a flush is on its way). The browser keeps
 * running, as when a visitor closes one tab. An event that never arrived at
 * the stand-in is lost.
 */
import type { Browser } from 'playwright-core';
import { seededRandom } from '@sessionflow/core';
import type { StandIn } from './stand-in.js';

export interface TabCloseOptions {
  runs: number;
  /** Runs at once, each in its own context. */
  parallel: number;
  /** The longest pause between the event and the close, on odd runs. */
  maxCloseDelayMs: number;
  /** How long after the last close an event may still arrive. */
  settleMs: number;
  seed: number;
  onRun?: (done: number) => void;
}

export interface TabCloseRun {
  eventId: string;
  /** ms between `track` returning and the close. */
  closeDelayMs: number;
}

export interface TabCloseResult {
  runs: TabCloseRun[];
  lost: TabCloseRun[];
  /** Events that arrived more than once. */
  duplicates: number;
  seconds: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function oneRun(browser: Browser, url: string, beforeMs: number, closeDelayMs: number): Promise<TabCloseRun> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction('window.__loss.ready()', undefined, { timeout: 15_000 });
    await pause(beforeMs);
    const eventId = await page.evaluate<string>("window.__loss.track('before_close', { at: Date.now() })");
    if (closeDelayMs > 0) await pause(closeDelayMs);
    await page.close({ runBeforeUnload: true });
    // The browser lives on after the tab (its beacons and keepalive requests with it).
    await pause(1000);
    return { eventId, closeDelayMs };
  } finally {
    await context.close();
  }
}

export async function closeAfterEvent(browser: Browser, standIn: StandIn, o: TabCloseOptions): Promise<TabCloseResult> {
  const started = Date.now();
  const random = seededRandom(o.seed);
  // Drawn up front, so the plan does not depend on which run finishes first.
  const plan = Array.from({ length: o.runs }, (_, i) => ({ beforeMs: Math.floor(random() * 1200), closeDelayMs: i % 2 === 0 ? 0 : Math.floor(random() * o.maxCloseDelayMs) }));
  const runs: TabCloseRun[] = [];
  let next = 0;
  const worker = async () => {
    while (next < plan.length) {
      const { beforeMs, closeDelayMs } = plan[next++]!;
      runs.push(await oneRun(browser, standIn.pageUrl, beforeMs, closeDelayMs));
      o.onRun?.(runs.length);
    }
  };
  await Promise.all(Array.from({ length: o.parallel }, worker));
  const deadline = Date.now() + o.settleMs;
  while (Date.now() < deadline && runs.some((r) => !standIn.counts.has(r.eventId))) await pause(100);
  return {
    runs,
    lost: runs.filter((r) => !standIn.counts.has(r.eventId)),
    duplicates: runs.filter((r) => (standIn.counts.get(r.eventId) ?? 0) > 1).length,
    seconds: (Date.now() - started) / 1000,
  };
}

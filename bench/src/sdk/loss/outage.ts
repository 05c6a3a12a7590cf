/**
 * Recovery after an outage: pages open (each in a browser context of its own)
 * and deliver their page views; then the stand-in answers every collect with
 * 503 and no Retry-After for `outageMs`, and each page tracks one event at a
 * random moment within the outage's first second, so each page's backoff runs
 * from its own first failure. The figure of a page is how long after the
 * stand-in answered again its event arrived: the wait its backoff imposed.
 * `rounds` outages of `pages` pages each.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { seededRandom } from '@sessionflow/core';
import type { StandIn } from './stand-in.js';

export interface OutageOptions {
  rounds: number;
  pages: number;
  outageMs: number;
  /** How long after the recovery an event may still arrive before it counts as not delivered. */
  giveUpMs: number;
  seed: number;
  onRound?: (done: number) => void;
}

export interface OutageResult {
  /** ms from the recovery to the page's event arriving, per page that delivered. */
  delaysMs: number[];
  /** Pages whose event had not arrived `giveUpMs` after the recovery. */
  undelivered: number;
  /** Events that arrived during the outage (must be none: every collect answered 503). */
  duringOutage: number;
  seconds: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function recoverAfterOutage(browser: Browser, standIn: StandIn, o: OutageOptions): Promise<OutageResult> {
  const started = Date.now();
  const random = seededRandom(o.seed);
  const delaysMs: number[] = [];
  let undelivered = 0;
  let duringOutage = 0;
  for (let round = 0; round < o.rounds; round++) {
    const contexts: BrowserContext[] = [];
    try {
      const pages = await Promise.all(
        Array.from({ length: o.pages }, async () => {
          const context = await browser.newContext();
          contexts.push(context);
          const page = await context.newPage();
          await page.goto(standIn.pageUrl, { waitUntil: 'load' });
          await page.waitForFunction('window.__loss.ready()', undefined, { timeout: 15_000 });
          // The landing page view leaves before the outage: the queue holds only the outage's event.
          await page.evaluate('window.sessionflow.flush()');
          return page;
        }),
      );
      standIn.outage(true);
      const outageStart = Date.now();
      const tracked = await Promise.all(
        pages.map(async (page) => {
          await pause(Math.floor(random() * 1000));
          return page.evaluate<string>("window.__loss.track('during_outage')");
        }),
      );
      await pause(Math.max(0, outageStart + o.outageMs - Date.now()));
      standIn.outage(false);
      const recoveredAt = Date.now();
      const deadline = recoveredAt + o.giveUpMs;
      while (Date.now() < deadline && tracked.some((id) => !standIn.firstAt.has(id))) await pause(20);
      for (const id of tracked) {
        const at = standIn.firstAt.get(id);
        if (at === undefined) undelivered++;
        else if (at < recoveredAt) duringOutage++;
        else delaysMs.push(at - recoveredAt);
      }
    } finally {
      standIn.outage(false);
      await Promise.all(contexts.map((c) => c.close()));
    }
    o.onRound?.(round + 1);
  }
  return { delaysMs, undelivered, duringOutage, seconds: (Date.now() - started) / 1000 };
}

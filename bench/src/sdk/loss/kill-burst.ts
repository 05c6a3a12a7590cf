/**
 * The browser killed right after a burst: on a profile of its own, again and
 * again, Chromium starts (its first page delivers what the last kill left in
 * the queue: the bench asks it to flush before anything else), the visitor clicks 10 product buttons in quick succession (real
 * input through CDP, each button a product of its own, so the stand-in tells
 * every click apart without asking the page), and the browser process gets
 * SIGKILL by its handle: on even runs as soon as the last click's dispatch
 * has returned, on odd runs after a random pause of up to `maxKillDelayMs`.
 * After a profile's last run the browser starts once more, opens the page and
 * is given time to deliver. A click that never arrived at the stand-in is lost.
 * `parallel` profiles run side by side, each with its own browser.
 *
 * Each start after a kill first opens a page of the origin without the SDK and
 * reads the SDK's IndexedDB queue as the kill left it, so a lost click is told
 * apart: never written before the kill (the page's window), or kept by the
 * queue and then not delivered (a fault of delivery).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { seededRandom } from '@sessionflow/core';
import { launchKillable } from './killable-chromium.js';
import { BURST_BUTTONS, type StandIn } from './stand-in.js';

export interface KillBurstOptions {
  runs: number;
  /** Profiles (browsers) at once, the runs shared among them. */
  parallel: number;
  /** Between two clicks of a burst. */
  gapMs: number;
  /** The longest pause between the last click and the kill, on odd runs. */
  maxKillDelayMs: number;
  /** How long the visit after a profile's last kill gets to deliver what is queued. */
  drainMs: number;
  seed: number;
  onRun?: (done: number, lost: number) => void;
}

export interface KillRun {
  /** The products clicked, in order. */
  products: string[];
  /** The pause asked for between the last click returning and the kill. */
  killDelayMs: number;
  /** The places (0 = first click) of the clicks that never arrived. */
  lostPlaces: number[];
  /** The places of the clicks that had neither arrived before the kill nor were in the queue after it; undefined when the queue could not be read. */
  unwrittenPlaces: number[] | undefined;
}

export interface KillBurstResult {
  runs: KillRun[];
  /** Clicks that had arrived by the time the browser was dead (the rest came from the queue after a restart). */
  arrivedBeforeKill: number;
  /** Clicks that arrived more than once. */
  duplicates: number;
  seconds: number;
}

interface Point {
  x: number;
  y: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The product ids of the clicks the SDK's queue holds, read before any SDK runs on the page. */
async function queuedClicks(page: Page, blankUrl: string): Promise<Set<string>> {
  await page.goto(blankUrl, { waitUntil: 'load' });
  return new Set(await page.evaluate<string[]>('window.__queuedClicks()'));
}

async function openPage(page: Page, url: string): Promise<Point[]> {
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction('window.__loss.ready()', undefined, { timeout: 15_000 });
  return page.evaluate<Point[]>('window.__loss.buttons()');
}

export async function killAfterBurst(standIn: StandIn, o: KillBurstOptions): Promise<KillBurstResult> {
  const started = Date.now();
  const random = seededRandom(o.seed);
  const delays = Array.from({ length: o.runs }, (_, i) => (i % 2 === 0 ? 0 : Math.floor(random() * o.maxKillDelayMs)));
  const runs: KillRun[] = [];
  let arrivedBeforeKill = 0;
  let next = 0;
  const arrived = (product: string) => standIn.clicksByProduct.has(product);
  const lostSoFar = () => runs.flatMap((r) => r.products).filter((p) => !arrived(p)).length;

  /** Set when a worker failed: the others stop after their current run, so each closes its own browser. */
  let failed = false;
  const profileRuns = async (worker: number) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sessionflow-bench-kill-'));
    const profile = path.join(dir, 'profile');
    const log = path.join(dir, 'chromium.log');
    const mine: KillRun[] = [];
    /** After a kill: which of its clicks had arrived (by now) or were in the queue the next start found. */
    const account = async (page: Page) => {
      const last = mine.at(-1);
      if (last === undefined) return;
      // Unreadable (Chromium could not open the profile's IndexedDB): the SDK then falls back to memory, and this run's losses go unexplained.
      const queued = await queuedClicks(page, standIn.blankUrl).catch(() => undefined);
      last.unwrittenPlaces = queued && last.products.flatMap((p, place) => (arrived(p) || queued.has(p) ? [] : [place]));
    };
    try {
      while (next < o.runs && !failed) {
        const run = next++;
        const tag = `k${run}`;
        const chromium = await launchKillable(profile, log);
        try {
          const page = chromium.context.pages()[0] ?? (await chromium.context.newPage());
          await account(page);
          const buttons = await openPage(page, `${standIn.pageUrl}?tag=${tag}`);
          if (buttons.length !== BURST_BUTTONS) throw new Error(`the page showed ${buttons.length} product buttons, expected ${BURST_BUTTONS}`);
          // The visit after a kill sends what the queue kept (and its page view) before the next burst: otherwise,
          // with every run killed before its first flush, the queue would only grow, and its bound drop the oldest.
          await page.evaluate('window.sessionflow.flush()');
          for (const [i, { x, y }] of buttons.entries()) {
            if (i > 0) await pause(o.gapMs);
            await page.mouse.click(x, y);
          }
          if (delays[run]! > 0) await pause(delays[run]!);
        } finally {
          await chromium.kill();
        }
        const products = Array.from({ length: BURST_BUTTONS }, (_, i) => `${tag}-${i}`);
        arrivedBeforeKill += products.filter(arrived).length;
        const done: KillRun = { products, killDelayMs: delays[run]!, lostPlaces: [], unwrittenPlaces: undefined };
        runs.push(done);
        mine.push(done);
        o.onRun?.(runs.length, lostSoFar());
      }
      // The visit after this profile's last kill: what that kill left queued goes now.
      if (failed) return;
      const last = await launchKillable(profile, log);
      try {
        const page = last.context.pages()[0] ?? (await last.context.newPage());
        await account(page);
        await openPage(page, `${standIn.pageUrl}?tag=last${worker}`);
        const deadline = Date.now() + o.drainMs;
        while (Date.now() < deadline && mine.some((r) => r.products.some((p) => !arrived(p)))) await pause(100);
      } finally {
        await last.close();
      }
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: o.parallel }, (_, worker) => profileRuns(worker)));
  const failure = outcomes.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;

  for (const run of runs) run.lostPlaces = run.products.flatMap((p, place) => (arrived(p) ? [] : [place]));
  return {
    runs,
    arrivedBeforeKill,
    duplicates: runs.flatMap((r) => r.products).filter((p) => (standIn.clicksByProduct.get(p) ?? 0) > 1).length,
    seconds: (Date.now() - started) / 1000,
  };
}

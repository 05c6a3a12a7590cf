/**
 * One load of the shop's page in a fresh browser context of the run's one
 * Chromium (a context shares no HTTP cache, code cache, cookies or storage
 * with any other, so every load is a first visit with nothing cached or
 * compiled), its CPU slowed through CDP as Lighthouse slows it to stand for
 * a mid-range phone. The page is left alone until a fixed quiet time after
 * its load event, then its entries are read and the context is thrown away.
 */
import type { Browser, Page } from 'playwright-core';
import { largestContentfulPaint, totalBlockingTime, type LcpEntry, type LongTask } from './blocking.js';

export interface LoadOptions {
  /** CDP Emulation.setCPUThrottlingRate: 4 is Lighthouse's mid-range phone on a desktop CPU. */
  cpuThrottle: number;
  /** How long after the load event the page is still watched: a script's start-up work after load counts. */
  quietMs: number;
}

export interface LoadResult {
  /** Blocking time from first contentful paint until the quiet time after load (Lighthouse's start); 0 and fcpMs undefined when nothing painted. */
  tbtMs: number;
  /** The same from navigation start: a script's work before first paint included. */
  tbtFromNavigationMs: number;
  lcpMs: number | undefined;
  fcpMs: number | undefined;
  loadMs: number;
  longTasks: number;
  chromiumVersion: string;
}

interface PageCost {
  longTasks: LongTask[];
  lcp: LcpEntry[];
  fcp: number | undefined;
  unsupported?: string[];
}

/** Waits in the page until `quietMs` after its load event, by the page's own clock (a string: bench has no DOM types). */
async function settle(page: Page, quietMs: number): Promise<{ loadEnd: number; until: number }> {
  return page.evaluate<{ loadEnd: number; until: number }>(`(async () => {
    const nav = performance.getEntriesByType('navigation')[0];
    const loadEnd = (nav && nav.loadEventEnd) || performance.now();
    const until = loadEnd + ${Number(quietMs)};
    while (performance.now() < until) await new Promise((resolve) => setTimeout(resolve, Math.max(1, until - performance.now())));
    return { loadEnd, until };
  })()`);
}

export async function loadOnce(browser: Browser, url: string, o: LoadOptions): Promise<LoadResult> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  try {
    const page = await context.newPage();
    // The throttle belongs to the page's own CDP session: each load sets it before it navigates.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: o.cpuThrottle });
    const response = await page.goto(url, { waitUntil: 'load' });
    if (response?.status() !== 200) throw new Error(`${url} answered ${response?.status() ?? 'nothing'}`);
    const { loadEnd, until } = await settle(page, o.quietMs);
    const cost = await page.evaluate<PageCost | undefined>('window.__pageCost');
    if (cost === undefined) throw new Error(`${url} has no window.__pageCost: the page-load observers did not run`);
    if (cost.unsupported !== undefined) throw new Error(`this Chromium does not observe ${cost.unsupported.join(', ')} entries`);
    const tasks = cost.longTasks.filter((t) => t.start < until);
    return {
      tbtMs: cost.fcp === undefined ? 0 : totalBlockingTime(tasks, cost.fcp, until),
      tbtFromNavigationMs: totalBlockingTime(tasks, 0, until),
      lcpMs: largestContentfulPaint(cost.lcp),
      fcpMs: cost.fcp,
      loadMs: loadEnd,
      longTasks: tasks.length,
      chromiumVersion: browser.version(),
    };
  } finally {
    await context.close();
  }
}

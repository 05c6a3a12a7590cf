/**
 * `sdk.long_tasks`: long tasks (the browser's `longtask` entries, 50 ms or
 * more on the main thread) during a scripted session of real input driven
 * from playwright: clicks on products and on the nav's single-page-app links,
 * wheel scrolls down and back up the page, programmatic route changes
 * (history.pushState) and track calls, in a fixed pseudo-random mix. The same
 * session runs on the page without the SDK, so a long task the browser or the
 * machine would have had anyway is not blamed on the SDK.
 */
import { seededRandom } from '@sessionflow/core';
import type { Page } from 'playwright-core';
import { openStorePage } from './browser-page.js';
import { progress } from '../progress.js';

export interface SessionResult {
  interactions: Record<Interaction, number>;
  /** Long tasks from the first interaction until the queue was flushed after the last. */
  longTasks: number;
  longestTaskMs: number;
  /** When each long task started (ms after the session started) and how long it took. */
  taskList: Array<{ atMs: number; durationMs: number }>;
  /** Long tasks while the page loaded (before the session). */
  loadLongTasks: number;
  seconds: number;
}

type Interaction = 'product_click' | 'link_click' | 'scroll' | 'route_change' | 'track';

/** Cumulative shares of the mix. */
const MIX: Array<[Interaction, number]> = [
  ['product_click', 0.35],
  ['link_click', 0.5],
  ['scroll', 0.75],
  ['route_change', 0.85],
  ['track', 1],
];


interface Point {
  x: number;
  y: number;
}

async function play(page: Page, interactions: number, label: string): Promise<Record<Interaction, number>> {
  const next = seededRandom(20_000);
  const counts: Record<Interaction, number> = { product_click: 0, link_click: 0, scroll: 0, route_change: 0, track: 0 };
  const links = await page.evaluate<Point[]>('window.__bench.links()');
  let down = true;
  const bar = progress();
  for (let i = 0; i < interactions; i++) {
    const r = next();
    const kind = MIX.find(([, upTo]) => r < upTo)?.[0] ?? 'track';
    switch (kind) {
      case 'product_click': {
        const at = await page.evaluate<Point | undefined, number>((pick) => (globalThis as unknown as SessionWindow).__bench.visibleProduct(pick), next());
        if (at) await page.mouse.click(at.x, at.y);
        break;
      }
      case 'link_click': {
        const at = links[Math.floor(next() * links.length)];
        if (at) await page.mouse.click(at.x, at.y);
        break;
      }
      case 'scroll': {
        if (down && (await page.evaluate<boolean>('window.__bench.atBottom()'))) down = false;
        if (!down && (await page.evaluate<boolean>('scrollY === 0'))) down = true;
        await page.mouse.wheel(0, down ? 400 : -400);
        break;
      }
      case 'route_change':
        await page.evaluate<void, string>((url) => (globalThis as unknown as SessionWindow).__bench.route(url), `/search?q=item-${i}`);
        break;
      case 'track':
        await page.evaluate<void, number>(
          (n) => (globalThis as unknown as SessionWindow).__bench.track('add_to_cart', { productId: `p-${n % 60}`, quantity: 1 }),
          i,
        );
        break;
    }
    counts[kind]++;
    if (i % 100 === 0) bar.update(`  ${label}: ${i}/${interactions} interactions`);
  }
  bar.done();
  return counts;
}

interface SessionWindow {
  __bench: {
    visibleProduct(pick: number): Point | undefined;
    route(url: string): void;
    track(name: string, props: Record<string, unknown>): void;
  };
}

export async function scriptedSession(url: string, withSdk: boolean, interactions: number): Promise<SessionResult> {
  const { page, close } = await openStorePage(url, withSdk);
  try {
    const started = Date.now();
    const sessionStart = await page.evaluate<number>('performance.now()');
    const counts = await play(page, interactions, withSdk ? 'session with the SDK' : 'session without the SDK');
    // Let the last batch go, and the work that follows it, before counting.
    if (withSdk) await page.evaluate('window.sessionflow.flush()');
    await page.waitForTimeout(1500);
    const tasks = await page.evaluate<Array<{ start: number; duration: number }>>('window.__longTasks');
    const during = tasks.filter((t) => t.start >= sessionStart);
    return {
      interactions: counts,
      longTasks: during.length,
      longestTaskMs: Math.max(0, ...during.map((t) => t.duration)),
      taskList: during.slice(0, 20).map((t) => ({ atMs: Math.round(t.start - sessionStart), durationMs: Math.round(t.duration) })),
      loadLongTasks: tasks.length - during.length,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await close();
  }
}

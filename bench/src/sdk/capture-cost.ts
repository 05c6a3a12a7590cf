/**
 * `sdk.capture_ms_per_event_p50`: the main-thread time a captured click costs.
 * In the page, performance.now() around dispatching a click on a product
 * button (inside a `data-sf-product` card in a `data-sf-category` section),
 * on the page with the SDK and on the same page without it; the figure is the
 * difference of the two medians.
 *
 * Each sample is one click in a task of its own, as a visitor's clicks are.
 * A click dispatched from script runs the listeners' microtasks only once the
 * calling script is done, while a real click runs them inside its own task,
 * so the clock is read after a microtask drain (on both pages alike). The
 * work the click leaves for later tasks (IndexedDB callbacks, the send) is
 * not in this figure; the page gets a timer's pause between clicks for it,
 * and it shows up in `sdk.long_tasks` if it ever blocks.
 *
 * Each peer (peer-capture.ts) is measured the same way on the same page in
 * the same run, its tags in our tag's place: `peer.<name>.capture_ms_per_event_p50`
 * is its p50 minus the same page's without any script.
 */
import type { CDPSession } from 'playwright-core';
import { crossOriginIsolated, openStorePage } from './browser-page.js';
import { percentile } from '../stats.js';

export interface CaptureOptions {
  samples: number;
  warmupSamples: number;
}

export interface CaptureCost {
  withSdkP50: number;
  withoutSdkP50: number;
  withSdkP90: number;
  withoutSdkP90: number;
  /** p50 with minus p50 without. */
  perEventP50: number;
  /**
   * All the main thread's work over the run (Chromium's TaskDuration, the deferred IndexedDB writes and
   * the sends included), per click, with minus without.
   */
  mainThreadPerEvent: number;
  isolated: boolean;
  chromiumVersion: string;
}

/** The page's helpers, as an evaluated function sees them (the page script defines them). */
interface BenchWindow {
  __bench: { clickCost(samples: number, warmup: number): Promise<number[]> };
}

/** Seconds the renderer's main thread spent in tasks so far (CDP Performance.getMetrics). */
async function taskSeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return metrics.find((m) => m.name === 'TaskDuration')?.value ?? Number.NaN;
}

async function clickTimes(url: string, ready: boolean | string, o: CaptureOptions, flush?: string, posts: () => number = () => 0) {
  const { page, chromiumVersion, close } = await openStorePage(url, ready);
  try {
    // What the script sends home from its first click on (not its start-up requests).
    const postsBefore = posts();
    const isolated = await crossOriginIsolated(page);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const before = await taskSeconds(cdp);
    const times = await page.evaluate<number[], [number, number]>(
      ([samples, warmup]) => (globalThis as unknown as BenchWindow).__bench.clickCost(samples, warmup),
      [o.samples, o.warmupSamples],
    );
    if (flush) await page.evaluate(flush);
    // The work clicks leave for later (writes, sends) is done within this pause on every page.
    await page.waitForTimeout(1000);
    const mainThreadMsPerClick = ((await taskSeconds(cdp)) - before) * 1000 / (o.samples + o.warmupSamples);
    return { times, isolated, chromiumVersion, mainThreadMsPerClick, posts: posts() - postsBefore };
  } finally {
    await close();
  }
}

/** One peer's clicks on the same page, measured the same way, beside ours. */
export interface PeerCaptureCost {
  name: string;
  p50: number;
  p90: number;
  /** p50 with the peer minus p50 without any script. */
  perEventP50: number;
  mainThreadPerEvent: number;
  /** POSTs the peer sent home from its first click on (its collector's requests; not its start-up configuration). */
  posts: number;
}

export interface CapturePages {
  withSdk: string;
  withoutSdk: string;
  /** Each peer's page, with what tells it has started; `posts()` counts what the peers sent home so far. */
  peers?: readonly { name: string; url: string; ready: string }[];
  posts?: () => number;
}

export async function captureCost(urls: CapturePages, o: CaptureOptions, onPage: (what: string) => void = () => {}): Promise<CaptureCost & { peers: PeerCaptureCost[] }> {
  onPage('without any script');
  const without = await clickTimes(urls.withoutSdk, false, o);
  onPage('with Sessionflow');
  const withSdk = await clickTimes(urls.withSdk, true, o, 'window.sessionflow.flush()');
  const withSdkP50 = percentile(withSdk.times, 50);
  const withoutSdkP50 = percentile(without.times, 50);
  const peers: PeerCaptureCost[] = [];
  for (const peer of urls.peers ?? []) {
    onPage(`with ${peer.name}`);
    const measured = await clickTimes(peer.url, peer.ready, o, undefined, urls.posts);
    const p50 = percentile(measured.times, 50);
    peers.push({
      name: peer.name,
      p50,
      p90: percentile(measured.times, 90),
      perEventP50: p50 - withoutSdkP50,
      mainThreadPerEvent: measured.mainThreadMsPerClick - without.mainThreadMsPerClick,
      posts: measured.posts,
    });
  }
  return {
    withSdkP50,
    withoutSdkP50,
    withSdkP90: percentile(withSdk.times, 90),
    withoutSdkP90: percentile(without.times, 90),
    perEventP50: withSdkP50 - withoutSdkP50,
    mainThreadPerEvent: withSdk.mainThreadMsPerClick - without.mainThreadMsPerClick,
    isolated: withSdk.isolated && without.isolated,
    chromiumVersion: withSdk.chromiumVersion,
    peers,
  };
}

/**
 * What each script costs the shop's real page as it loads: the storefront's
 * page, with no script, with Sessionflow's tag and with each peer's, loaded
 * `loads` times each in rotation in the same run; total blocking time and
 * largest contentful paint per load, and their medians.
 */
import os from 'node:os';
import { progress } from '../../progress.js';
import { launchSharedChromium } from '../chromium.js';
import { median, medianDelta } from './blocking.js';
import { installs as allInstalls, type Install } from './installs.js';
import { loadOnce, type LoadOptions, type LoadResult } from './load.js';
import { rotation } from './rotation.js';
import { startShopServer, type ShopServer } from './shop-server.js';

/** The shop's page the figures are taken on: a product page, with its picture, price and recommendations slot. */
export const SHOP_PAGE_PATH = '/p/sku-1001';

export interface PageCostOptions extends LoadOptions {
  /** Loads per install. */
  loads: number;
  /** Loads under way at once, each in its own context (and renderer process) of the one browser. */
  parallel: number;
}

export interface InstallCost {
  install: Install;
  loads: LoadResult[];
  /** TBT of each load that painted (it starts at first contentful paint), LCP of each load that reported one. */
  tbtSamples: number[];
  lcpSamples: number[];
  tbtP50: number;
  tbtFromNavigationP50: number;
  lcpP50: number;
  /** Loads without a first contentful paint (no TBT) or without an LCP entry. */
  fcpMissing: number;
  lcpMissing: number;
  /** Requests the script sent home over all its loads, by path; and requests nothing here answered. */
  sent: Record<string, number>;
  missing: Record<string, number>;
}

export interface PageCost {
  page: string;
  baseline: InstallCost;
  sessionflow: InstallCost;
  peers: InstallCost[];
  chromiumVersion: string;
  seconds: number;
  /** The machine's 1-minute load average when the loads started and when they ended: others' work moves these figures. */
  loadAverage: { start: number; end: number };
}

function summarise(install: Install, loads: LoadResult[], server: ShopServer): InstallCost {
  const tbtSamples = loads.filter((l) => l.fcpMs !== undefined).map((l) => l.tbtMs);
  const lcpSamples = loads.map((l) => l.lcpMs).filter((v): v is number => v !== undefined);
  return {
    install,
    loads,
    tbtSamples,
    lcpSamples,
    tbtP50: median(tbtSamples),
    tbtFromNavigationP50: median(loads.map((l) => l.tbtFromNavigationMs)),
    lcpP50: median(lcpSamples),
    fcpMissing: loads.length - tbtSamples.length,
    lcpMissing: loads.length - lcpSamples.length,
    sent: Object.fromEntries(server.sent),
    missing: Object.fromEntries(server.missing),
  };
}

/**
 * `run` over `items` in their order, `parallel` at a time, each worker taking the next item as it finishes. Over the
 * rotation, the loads that overlap are of different installs, and every install meets every other alike, so what a
 * load's neighbours cost falls on all installs.
 */
async function inParallel<T>(items: readonly T[], parallel: number, run: (item: T) => Promise<void | unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
}

export async function pageCost(sdkFile: string, o: PageCostOptions): Promise<PageCost> {
  const installs = allInstalls();
  const servers = new Map<string, ShopServer>();
  const started = Date.now();
  const loadAtStart = os.loadavg()[0]!;
  const browser = await launchSharedChromium();
  try {
    for (const install of installs) servers.set(install.name, await startShopServer(install, sdkFile));
    const results = new Map<string, LoadResult[]>(installs.map((i) => [i.name, []]));
    const order = rotation(installs, o.loads);
    const bar = progress();
    const load = (install: Install) => loadOnce(browser, `${servers.get(install.name)!.origin}${SHOP_PAGE_PATH}`, o);
    // A load of each install first, not counted: the browser's first pages (its network service, fonts, the servers' first
    // answers) are slower than any later one, and would otherwise fall on the first round's installs alone.
    await inParallel(installs, o.parallel, load);
    for (const server of servers.values()) {
      server.sent.clear();
      server.missing.clear();
    }
    let done = 0;
    await inParallel(order, o.parallel, async (install) => {
      results.get(install.name)!.push(await load(install));
      bar.update(`  page cost: ${++done}/${order.length} loads, ${Math.round((Date.now() - started) / 1000)} s`);
    });
    bar.done();

    const costs = installs.map((i) => summarise(i, results.get(i.name)!, servers.get(i.name)!));
    for (const cost of costs) {
      const sentAny = Object.keys(cost.sent).length > 0;
      // A figure for a script that never ran (or sent nothing home) would measure nothing; a page without a script that sent something is not bare.
      if (cost.install.name === 'none' ? sentAny : !sentAny) {
        throw new Error(
          cost.install.name === 'none'
            ? `the page without any script sent ${JSON.stringify(cost.sent)}: it is not the bare page`
            : `${cost.install.name} sent nothing home in ${o.loads} loads of ${SHOP_PAGE_PATH}: its install did not run, its figures would be meaningless`,
        );
      }
    }
    return {
      page: SHOP_PAGE_PATH,
      baseline: costs[0]!,
      sessionflow: costs[1]!,
      peers: costs.slice(2),
      chromiumVersion: costs[0]!.loads[0]?.chromiumVersion ?? 'unknown',
      seconds: (Date.now() - started) / 1000,
      loadAverage: { start: loadAtStart, end: os.loadavg()[0]! },
    };
  } finally {
    await browser.close();
    for (const server of servers.values()) await server.close();
  }
}

/** What an install adds to the bare page: medians' differences. */
export function deltas(cost: Pick<InstallCost, 'tbtSamples' | 'lcpSamples'>, baseline: Pick<InstallCost, 'tbtSamples' | 'lcpSamples'>): { tbtMs: number; lcpMs: number } {
  return { tbtMs: medianDelta(cost.tbtSamples, baseline.tbtSamples), lcpMs: medianDelta(cost.lcpSamples, baseline.lcpSamples) };
}

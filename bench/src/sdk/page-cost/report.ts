/** The page-load figures as the sdk suite prints them and writes them to its results file. */
import os from 'node:os';
import { round } from '../../stats.js';
import { type Figure } from '../../results.js';
import { median } from './blocking.js';
import { deltas, pageCost, SHOP_PAGE_PATH, type InstallCost, type PageCost, type PageCostOptions } from './run.js';

export { pageCost, type PageCostOptions };

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const signed = (ms: number) => `${ms >= 0 ? '+' : ''}${round(ms, 1)} ms`;

/** Said before the loads start: they take a while, and the throttling is part of what the figures mean. */
export function announcePageCost(o: PageCostOptions, installs: readonly string[]): void {
  console.log(
    `  page cost: the shop's ${SHOP_PAGE_PATH} (demo-site's createDemoApp), ${o.loads} loads each, in rotation, of ${installs.join(', ')}; ` +
      `each a first visit in a fresh context of one headless Chromium (${o.parallel} at once), its CPU throttled ${o.cpuThrottle}× (CDP Emulation.setCPUThrottlingRate, as Lighthouse stands for a mid-range phone), watched until ${o.quietMs} ms after load…`,
  );
}

export function printPageCost(cost: PageCost, o: PageCostOptions): void {
  const line = (c: InstallCost) => {
    const delta = deltas(c, cost.baseline);
    const d = c === cost.baseline ? '' : ` → ${signed(delta.tbtMs)} TBT, ${signed(delta.lcpMs)} LCP`;
    const blocked = `, ${c.tbtSamples.filter((v) => v > 0).length}/${c.tbtSamples.length} loads blocked, mean TBT ${round(mean(c.tbtSamples), 1)} ms`;
    const missing = c.fcpMissing + c.lcpMissing > 0 ? ` (${c.fcpMissing} loads without first paint, ${c.lcpMissing} without LCP)` : '';
    console.log(
      `  page cost: ${c.install.name.padEnd(12)} TBT p50 ${round(c.tbtP50, 1)} ms (from navigation ${round(c.tbtFromNavigationP50, 1)}), LCP p50 ${round(c.lcpP50, 1)} ms${blocked}${d}${missing}`,
    );
    if (c.install.note) console.log(`             ${c.install.name}: ${c.install.note}`);
  };
  console.log(
    `  page cost: ${round(cost.seconds)} s (load average ${round(cost.loadAverage.start, 1)} → ${round(cost.loadAverage.end, 1)} on ${os.cpus().length} cores, ${o.parallel} loads at once); medians of ${o.loads} loads each of ${cost.page}, CPU throttled ${o.cpuThrottle}×; TBT from first contentful paint until ${o.quietMs} ms after load (from navigation start in brackets):`,
  );
  for (const c of [cost.baseline, cost.sessionflow, ...cost.peers]) line(c);
}

/** The figures: ours under `sdk.`, each peer's under `peer.<name>.`, and the bare page's medians. */
export function pageCostFigures(cost: PageCost): { sdk: Record<string, Figure>; peers: Record<string, Record<string, Figure>> } {
  const ms = (value: number): Figure => ({ value: round(value, 1), unit: 'ms' });
  const ours = deltas(cost.sessionflow, cost.baseline);
  return {
    sdk: {
      'sdk.page_tbt_delta_ms': ms(ours.tbtMs),
      'sdk.page_lcp_delta_ms': ms(ours.lcpMs),
      'sdk.page_tbt_baseline_ms': ms(cost.baseline.tbtP50),
      'sdk.page_lcp_baseline_ms': ms(cost.baseline.lcpP50),
    },
    peers: Object.fromEntries(
      cost.peers.map((c) => {
        const d = deltas(c, cost.baseline);
        return [c.install.name, { [`peer.${c.install.name}.page_tbt_delta_ms`]: ms(d.tbtMs), [`peer.${c.install.name}.page_lcp_delta_ms`]: ms(d.lcpMs) }];
      }),
    ),
  };
}

export function pageCostContext(cost: PageCost, o: PageCostOptions): Record<string, unknown> {
  const p50 = (values: number[]) => round(median(values), 1);
  return {
    page: cost.page,
    pageConstant: `SHOP_PAGE_PATH in bench/src/sdk/page-cost/run.ts (${SHOP_PAGE_PATH})`,
    loadsPerInstall: o.loads,
    cpuThrottle: o.cpuThrottle,
    loadsAtOnce: o.parallel,
    quietMsAfterLoad: o.quietMs,
    seconds: round(cost.seconds),
    chromium: cost.chromiumVersion,
    loadAverage1m: { start: round(cost.loadAverage.start), end: round(cost.loadAverage.end), cpus: os.cpus().length },
    note:
      'each load in a fresh browser context of one headless Chromium (a first visit: no cache, cookies or storage shared), loadsAtOnce of them at a time, CPU throttled through CDP per page; TBT = the part over 50 ms of each longtask entry, clipped to [first contentful paint, load event + quiet time] ' +
      '(tbtFromNavigation: from navigation start instead); LCP = the last largest-contentful-paint entry; deltas = median with the script minus median of the bare page, same run, loads in rotation',
    installs: Object.fromEntries(
      [cost.baseline, cost.sessionflow, ...cost.peers].map((c) => [
        c.install.name,
        {
          tbtP50Ms: round(c.tbtP50, 1),
          tbtMeanMs: round(mean(c.tbtSamples), 1),
          loadsWithBlocking: c.tbtSamples.filter((v) => v > 0).length,
          tbtFromNavigationP50Ms: round(c.tbtFromNavigationP50, 1),
          lcpP50Ms: round(c.lcpP50, 1),
          fcpP50Ms: p50(c.loads.flatMap((l) => (l.fcpMs === undefined ? [] : [l.fcpMs]))),
          loadEventP50Ms: p50(c.loads.map((l) => l.loadMs)),
          longTasksP50: p50(c.loads.map((l) => l.longTasks)),
          loadsWithoutFirstPaint: c.fcpMissing,
          loadsWithoutLcp: c.lcpMissing,
          ...(c.install.note ? { note: c.install.note } : {}),
          sentHome: c.sent,
          unanswered: c.missing,
          tbtMs: c.tbtSamples.map((v) => round(v, 1)),
          lcpMs: c.lcpSamples.map((v) => round(v, 1)),
        },
      ]),
    ),
  };
}

import { describe, expect, it } from 'vitest';
import { noScript, sessionflow, type Install } from '../../src/sdk/page-cost/installs.js';
import { pageCostFigures } from '../../src/sdk/page-cost/report.js';
import type { InstallCost, PageCost } from '../../src/sdk/page-cost/run.js';
import { median } from '../../src/sdk/page-cost/blocking.js';
import { pageCostOptions } from '../../src/sdk/page-cost/options.js';

function cost(install: Install, tbtSamples: number[], lcpSamples: number[]): InstallCost {
  return {
    install,
    loads: [],
    tbtSamples,
    lcpSamples,
    tbtP50: median(tbtSamples),
    tbtFromNavigationP50: 0,
    lcpP50: median(lcpSamples),
    fcpMissing: 0,
    lcpMissing: 0,
    sent: {},
    missing: {},
  };
}

const peer = (name: string): Install => ({ ...noScript, name });

describe('pageCostFigures', () => {
  const page: PageCost = {
    page: '/',
    baseline: cost(noScript, [0, 10, 20], [500, 520, 540]),
    sessionflow: cost(sessionflow, [15, 25, 5], [530, 510, 560]),
    peers: [cost(peer('snowplow'), [100, 110, 120], [600, 610, 620]), cost(peer('posthog'), [0, 0, 0], [400, 420, 410])],
    chromiumVersion: 'test',
    seconds: 1,
    loadAverage: { start: 0, end: 0 },
  };
  const figures = pageCostFigures(page);

  it('gives ours as medians\' differences from the bare page, and the bare page\'s medians', () => {
    expect(figures.sdk).toEqual({
      'sdk.page_tbt_delta_ms': { value: 5, unit: 'ms' },
      'sdk.page_lcp_delta_ms': { value: 10, unit: 'ms' },
      'sdk.page_tbt_baseline_ms': { value: 10, unit: 'ms' },
      'sdk.page_lcp_baseline_ms': { value: 520, unit: 'ms' },
    });
  });

  it('gives each peer its own deltas under its name, negative when it was faster', () => {
    expect(figures.peers).toEqual({
      snowplow: { 'peer.snowplow.page_tbt_delta_ms': { value: 100, unit: 'ms' }, 'peer.snowplow.page_lcp_delta_ms': { value: 90, unit: 'ms' } },
      posthog: { 'peer.posthog.page_tbt_delta_ms': { value: -10, unit: 'ms' }, 'peer.posthog.page_lcp_delta_ms': { value: -110, unit: 'ms' } },
    });
  });
});

describe('pageCostOptions', () => {
  it('takes the defaults without the variables, and their values with them', () => {
    expect(pageCostOptions({})).toEqual({ loads: 30, parallel: 1, cpuThrottle: 4, quietMs: 3000 });
    expect(pageCostOptions({ BENCH_SDK_PAGE_LOADS: '5', BENCH_SDK_CPU_THROTTLE: '1', BENCH_SDK_PAGE_QUIET_MS: '0', BENCH_SDK_PAGE_PARALLEL: '3' })).toEqual({ loads: 5, parallel: 3, cpuThrottle: 1, quietMs: 0 });
  });

  it('names the variable whose value is not usable', () => {
    expect(() => pageCostOptions({ BENCH_SDK_PAGE_LOADS: 'thirty' })).toThrow(/BENCH_SDK_PAGE_LOADS must be a whole number/);
    expect(() => pageCostOptions({ BENCH_SDK_CPU_THROTTLE: '0.5' })).toThrow(/BENCH_SDK_CPU_THROTTLE must be/);
    expect(() => pageCostOptions({ BENCH_SDK_PAGE_QUIET_MS: '-1' })).toThrow(/BENCH_SDK_PAGE_QUIET_MS must be/);
    expect(() => pageCostOptions({ BENCH_SDK_PAGE_PARALLEL: '0' })).toThrow(/BENCH_SDK_PAGE_PARALLEL must be/);
  });
});

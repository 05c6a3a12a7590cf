/** The page-cost knobs from the environment; a value that is not a number says which variable. */
import type { PageCostOptions } from './run.js';

function knob(env: NodeJS.ProcessEnv, name: string, fallback: number, valid: (n: number) => boolean, what: string): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!valid(n)) throw new Error(`${name} must be ${what}, got "${raw}"`);
  return n;
}

export function pageCostOptions(env: NodeJS.ProcessEnv): PageCostOptions {
  return {
    loads: knob(env, 'BENCH_SDK_PAGE_LOADS', 30, (n) => Number.isInteger(n) && n >= 1, 'a whole number of loads ≥ 1'),
    cpuThrottle: knob(env, 'BENCH_SDK_CPU_THROTTLE', 4, (n) => Number.isFinite(n) && n >= 1, 'a slow-down factor ≥ 1 (1 = no throttling)'),
    parallel: knob(env, 'BENCH_SDK_PAGE_PARALLEL', 1, (n) => Number.isInteger(n) && n >= 1, 'a whole number of loads at once ≥ 1'),
    quietMs: knob(env, 'BENCH_SDK_PAGE_QUIET_MS', 3000, (n) => Number.isFinite(n) && n >= 0, 'milliseconds ≥ 0'),
  };
}

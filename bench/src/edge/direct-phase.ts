/**
 * The decide load again, against the same built Worker in workerd through
 * Miniflare alone (workerd-direct-main.ts): `wrangler dev` puts its own Node
 * proxy and a second workerd in front of the Worker, which a deployed Worker
 * does not have, so this phase shows what the Worker and its objects cost
 * without them. Same visitors' script, same concurrency, a fresh stub and
 * fresh storage.
 *
 * Then, in the same workerd: the same visitors at an offered rate (open
 * loop, open-load.ts), and the same load on a bare hono route beside the
 * Worker (bare-worker.ts). Each load's CPU is workerd's own, read from /proc
 * at the edges of its measured window, divided by the requests of that
 * window: what one request costs the runtime, the Worker and its objects
 * (their relays included), against what a request costs a route that does
 * nothing.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { freePort, startHttpService, type HttpService } from '@sessionflow/infra';
import { percentile, round } from '../stats.js';
import { startCollectorStub, type CollectorStub } from './collector-stub.js';
import { BARE_PATH } from './bare-path.js';
import { decideLoad, type DecideLoadOptions } from './decide-load.js';
import { openLoad } from './open-load.js';
import { cpuSpent, groupCpuSeconds } from './process-cpu.js';
import { simulatedVisitors } from './visitors.js';

export interface DirectPhaseOptions extends DecideLoadOptions {
  visitors: number;
  unloadedSeconds: number;
  /** The offered rate of the open-loop load, requests/s, and its measured seconds. */
  openRatePerS: number;
  openSeconds: number;
  /** Measured seconds of the bare route's load (same concurrency as the edge's). */
  bareSeconds: number;
}

export interface DirectPhaseResult {
  p50Ms: number;
  p99Ms: number;
  requestsPerS: number;
  unloadedP50Ms: number;
  unloadedP99Ms: number;
  notOk: number;
  cpuSecondsInWindow: Record<string, number>;
  /** workerd's CPU over the saturating load's window / the requests of that window, µs. */
  cpuUsPerRequest: number;
  open: { p50Ms: number; p99Ms: number; requests: number; notOk: number; failures: Record<string, number>; failureSample?: string; notSent: number; maxSendLagMs: number; cpuUsPerRequest: number; cpuSecondsInWindow: Record<string, number> };
  bare: { requestsPerS: number; p50Ms: number; p99Ms: number; requests: number; notOk: number; cpuUsPerRequest: number; cpuSecondsInWindow: Record<string, number> };
}

/** workerd's CPU seconds (every workerd of the group: Miniflare runs one) in a window's readings. */
function workerdSeconds(spent: Record<string, number>): number {
  return Object.entries(spent)
    .filter(([label]) => label.startsWith('workerd'))
    .reduce((sum, [, seconds]) => sum + seconds, 0);
}

/** CPU per request over a window's two readings, µs; NaN without both readings or requests. */
function cpuUsPer(readings: Record<string, number>[], requests: number): { us: number; spent: Record<string, number> } {
  const [before, after] = readings;
  if (before === undefined || after === undefined || requests === 0) return { us: Number.NaN, spent: {} };
  const spent = cpuSpent(before, after);
  return { us: (workerdSeconds(spent) * 1e6) / requests, spent };
}

export async function directPhase(
  o: DirectPhaseOptions,
  site: { siteKey: string; origin: string; secret: string },
  dir: string,
): Promise<DirectPhaseResult> {
  let stub: CollectorStub | undefined;
  let edge: HttpService | undefined;
  try {
    stub = await startCollectorStub(site.secret);
    const port = await freePort();
    const started = performance.now();
    edge = await startHttpService({
      name: 'edge-direct',
      command: process.execPath,
      args: [fileURLToPath(new URL('./workerd-direct-main.js', import.meta.url))],
      env: {
        ...process.env,
        PORT: String(port),
        COLLECTOR_URL: stub.url,
        RELAY_HMAC_SECRET: site.secret,
        SITES: JSON.stringify({ [site.siteKey]: { origins: [site.origin] } }),
        PERSIST_DIR: path.join(dir, 'direct'),
      },
      logFile: path.join(dir, 'logs', 'edge-direct.log'),
      port,
      readyPath: '/healthz',
      readyTimeoutMs: 60_000,
      stopGraceMs: 10_000,
    });
    console.log(`  direct: workerd through Miniflare alone, ready on ${edge.url} in ${round((performance.now() - started) / 1000, 1)} s`);
    const visitors = simulatedVisitors(o.visitors);
    const collectUrl = new URL(`/v1/collect?site=${site.siteKey}`, edge.url);
    const pid = edge.child.pid;
    const cpu: Record<string, number>[] = [];
    const load = await decideLoad({ collectUrl, origin: site.origin, stub, label: 'direct load', onWindow: () => cpu.push(groupCpuSeconds(pid, port)) }, visitors, o);
    const unloaded = await decideLoad({ collectUrl, origin: site.origin, stub, label: 'direct unloaded' }, visitors, {
      seconds: o.unloadedSeconds,
      warmupSeconds: 0,
      concurrency: 1,
      batchSize: o.batchSize,
    });
    console.log(`  direct open loop: ${o.openRatePerS} requests/s offered, 2 s warm-up + ${o.openSeconds} s…`);
    const openCpu: Record<string, number>[] = [];
    const open = await openLoad(
      { collectUrl, origin: site.origin, label: 'direct open loop', onWindow: () => openCpu.push(groupCpuSeconds(pid, port)) },
      visitors,
      { ratePerS: o.openRatePerS, seconds: o.openSeconds, warmupSeconds: 2, batchSize: o.batchSize },
    );
    console.log(`  direct bare route: ${BARE_PATH} in the same workerd, ${o.concurrency} in flight, 1 s warm-up + ${o.bareSeconds} s…`);
    const bareCpu: Record<string, number>[] = [];
    const bare = await decideLoad(
      { collectUrl: new URL(BARE_PATH, edge.url), origin: site.origin, stub, label: 'direct bare route', onWindow: () => bareCpu.push(groupCpuSeconds(pid, port)) },
      visitors,
      { seconds: o.bareSeconds, warmupSeconds: 1, concurrency: o.concurrency, batchSize: o.batchSize },
    );
    const loadCpu = cpuUsPer(cpu, load.latenciesMs.length);
    const openCpuPer = cpuUsPer(openCpu, open.sentMeasured);
    const bareCpuPer = cpuUsPer(bareCpu, bare.latenciesMs.length);
    return {
      p50Ms: percentile(load.latenciesMs, 50),
      p99Ms: percentile(load.latenciesMs, 99),
      requestsPerS: load.latenciesMs.length / o.seconds,
      unloadedP50Ms: percentile(unloaded.latenciesMs, 50),
      unloadedP99Ms: percentile(unloaded.latenciesMs, 99),
      notOk: Object.values(load.failures).reduce((a, b) => a + b, 0),
      cpuSecondsInWindow: loadCpu.spent,
      cpuUsPerRequest: loadCpu.us,
      open: {
        p50Ms: percentile(open.latenciesMs, 50),
        p99Ms: percentile(open.latenciesMs, 99),
        requests: open.latenciesMs.length,
        notOk: Object.values(open.failures).reduce((a, b) => a + b, 0),
        failures: open.failures,
        ...(open.failureSample !== undefined ? { failureSample: open.failureSample } : {}),
        notSent: open.notSent,
        maxSendLagMs: open.maxSendLagMs,
        cpuUsPerRequest: openCpuPer.us,
        cpuSecondsInWindow: openCpuPer.spent,
      },
      bare: {
        requestsPerS: bare.latenciesMs.length / o.bareSeconds,
        p50Ms: percentile(bare.latenciesMs, 50),
        p99Ms: percentile(bare.latenciesMs, 99),
        requests: bare.latenciesMs.length,
        notOk: Object.values(bare.failures).reduce((a, b) => a + b, 0),
        cpuUsPerRequest: bareCpuPer.us,
        cpuSecondsInWindow: bareCpuPer.spent,
      },
    };
  } finally {
    await edge?.stop().catch((err: unknown) => console.error(`  direct: stop failed: ${String(err)}`));
    await stub?.close();
  }
}

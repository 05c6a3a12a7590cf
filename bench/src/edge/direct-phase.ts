/**
 * The decide load again, against the same built Worker in workerd through
 * Miniflare alone (workerd-direct-main.ts): `wrangler dev` puts its own Node
 * proxy and a second workerd in front of the Worker, which a deployed Worker
 * does not have, so this phase shows what the Worker and its objects cost
 * without them. Same visitors' script, same concurrency, a fresh stub and
 * fresh storage.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { freePort, startHttpService, type HttpService } from '@sessionflow/infra';
import { percentile, round } from '../stats.js';
import { startCollectorStub, type CollectorStub } from './collector-stub.js';
import { decideLoad, type DecideLoadOptions } from './decide-load.js';
import { cpuSpent, groupCpuSeconds } from './process-cpu.js';
import { simulatedVisitors } from './visitors.js';

export interface DirectPhaseResult {
  p50Ms: number;
  p99Ms: number;
  requestsPerS: number;
  unloadedP50Ms: number;
  unloadedP99Ms: number;
  notOk: number;
  cpuSecondsInWindow: Record<string, number>;
}

export async function directPhase(
  o: DecideLoadOptions & { visitors: number; unloadedSeconds: number },
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
    const [before, after] = cpu;
    return {
      p50Ms: percentile(load.latenciesMs, 50),
      p99Ms: percentile(load.latenciesMs, 99),
      requestsPerS: load.latenciesMs.length / o.seconds,
      unloadedP50Ms: percentile(unloaded.latenciesMs, 50),
      unloadedP99Ms: percentile(unloaded.latenciesMs, 99),
      notOk: Object.values(load.failures).reduce((a, b) => a + b, 0),
      cpuSecondsInWindow: before && after ? cpuSpent(before, after) : {},
    };
  } finally {
    await edge?.stop().catch((err: unknown) => console.error(`  direct: stop failed: ${String(err)}`));
    await stub?.close();
  }
}

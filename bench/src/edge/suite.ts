/**
 * The `edge` suite: how fast the edge decides. Simulated visitors post
 * batches of 5 events to the edge in workerd (`wrangler dev`, started by
 * infra's `startEdgeProcess`) while it relays to a fast local stub collector,
 * which isolates the edge from Kafka; plus one evaluation of core's demo
 * rules, in-process in Node.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, startEdgeProcess, type HttpService } from '@sessionflow/infra';
import { progress } from '../progress.js';
import { type SuiteResult } from '../results.js';
import { percentile, round } from '../stats.js';
import { startCollectorStub, type CollectorStub } from './collector-stub.js';
import { decideLoad, type DecideLoadOptions } from './decide-load.js';
import { directPhase, type DirectPhaseResult } from './direct-phase.js';
import { cpuSpent, groupCpuSeconds } from './process-cpu.js';
import { rulesEval, type RulesEvalOptions } from './rules-eval.js';
import { simulatedVisitors } from './visitors.js';
import { validationCost } from './validation-cost.js';

export interface EdgeSuiteOptions extends DecideLoadOptions, RulesEvalOptions {
  visitors: number;
  /** How long to wait, after the load, for the edge's outboxes to reach the stub. */
  drainSeconds: number;
  /** Seconds of one-at-a-time requests after the load, for the edge's unloaded latency. */
  unloadedSeconds: number;
  /** The direct phase's open loop: offered requests/s and measured seconds. */
  openRatePerS: number;
  openSeconds: number;
  /** The direct phase's bare hono route: measured seconds. */
  bareSeconds: number;
  /** Only the direct phase (no wrangler dev, no rules evaluation): for A/B rounds of two builds (BENCH_EDGE_BUNDLE). */
  directOnly: boolean;
}

export const defaultEdgeOptions: EdgeSuiteOptions = {
  seconds: Number(process.env.BENCH_EDGE_SECONDS ?? 20),
  warmupSeconds: 3,
  concurrency: Number(process.env.BENCH_EDGE_CONCURRENCY ?? 50),
  batchSize: 5,
  visitors: Number(process.env.BENCH_EDGE_VISITORS ?? 200),
  drainSeconds: 30,
  unloadedSeconds: 5,
  openRatePerS: Number(process.env.BENCH_EDGE_OPEN_RATE ?? 100),
  openSeconds: Number(process.env.BENCH_EDGE_OPEN_SECONDS ?? 20),
  bareSeconds: Number(process.env.BENCH_EDGE_BARE_SECONDS ?? 10),
  directOnly: process.env.BENCH_EDGE_DIRECT_ONLY === '1',
  evaluationsPerBatch: 100,
  batches: Number(process.env.BENCH_RULES_BATCHES ?? 2000),
  warmupEvaluations: 20_000,
  sessionEvents: 30,
};

const SITE_KEY = 'bench-site-key';
const ORIGIN = 'http://127.0.0.1:8080';
const SECRET = 'local-dev-relay-secret';

/** Waits until the stub has every accepted event, or `seconds` pass; what is still missing then. */
async function drain(stub: CollectorStub, accepted: number, seconds: number): Promise<{ missing: number; waitedS: number }> {
  const start = performance.now();
  const bar = progress();
  while (stub.distinctEvents() < accepted && performance.now() - start < seconds * 1000) {
    bar.update(`  relay drain: ${stub.distinctEvents().toLocaleString('en')}/${accepted.toLocaleString('en')} accepted events at the stub`);
    await new Promise((r) => setTimeout(r, 250));
  }
  bar.done();
  return { missing: Math.max(0, accepted - stub.distinctEvents()), waitedS: (performance.now() - start) / 1000 };
}

export async function edgeSuite(o: EdgeSuiteOptions = defaultEdgeOptions): Promise<SuiteResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sessionflow-bench-edge-'));
  let stub: CollectorStub | undefined;
  let edge: HttpService | undefined;
  try {
    if (o.directOnly) {
      const direct = await runDirect(o, dir);
      return { suite: 'edge', figures: directFigures(direct), context: { node: process.version, cpus: os.cpus().length, only: 'the direct phase (BENCH_EDGE_DIRECT_ONLY=1)', direct: directContext(direct) } };
    }
    console.log('  rules eval: core\'s DEMO_RULES with decide, in-process…');
    const rules = rulesEval(o);
    console.log(
      `  rules eval: p50 ${round(rules.p50Us, 3)} µs per evaluation (${rules.evaluations.toLocaleString('en')} evaluations in batches of ${o.evaluationsPerBatch}; ` +
        `timer grain ${round(rules.timerGrainUs, 3)} µs); signalsOf p50 ${round(rules.signalsP50Us, 3)} µs; actions: ${rules.actions.join(', ') || 'none'}`,
    );

    console.log('  validation: core\'s validateEvent (compiled check) against valibot alone, in-process, alternating rounds…');
    const validation = validationCost({ rounds: 15, eventsPerRound: 20_000 });
    console.log(
      `  validation: ${round(validation.compiledUs, 3)} µs per event now (the compiled check took ${validation.takenByCompiled} of ${validation.pool} events), ` +
        `${round(validation.valibotUs, 3)} µs with valibot alone (before): ${round(validation.valibotUs / validation.compiledUs, 1)}× less; medians of ${validation.rounds} rounds`,
    );

    console.log('  collector stub: starting (node:http, answers 202 at once, no Kafka)…');
    stub = await startCollectorStub(SECRET);
    const port = await freePort();
    console.log('  edge: starting wrangler dev (workerd)…');
    const edgeStarted = performance.now();
    edge = await startEdgeProcess({
      port,
      collectorUrl: stub.url,
      secret: SECRET,
      sites: { [SITE_KEY]: { origins: [ORIGIN] } },
      persistDir: path.join(dir, 'wrangler'),
      logFile: path.join(dir, 'logs', 'edge.log'),
    });
    console.log(`  edge: ready on ${edge.url} in ${round((performance.now() - edgeStarted) / 1000, 1)} s, relaying to ${stub.url}`);

    console.log(`  decide load: ${o.visitors} visitors, ${o.concurrency} concurrent, batches of ${o.batchSize} events, ${o.warmupSeconds} s warm-up + ${o.seconds} s…`);
    const visitors = simulatedVisitors(o.visitors);
    const collectUrl = new URL(`/v1/collect?site=${SITE_KEY}`, edge.url);
    const edgePid = edge.child.pid;
    const cpu: { edge: Record<string, number>[]; bench: NodeJS.CpuUsage[] } = { edge: [], bench: [] };
    const load = await decideLoad(
      {
        collectUrl,
        origin: ORIGIN,
        stub,
        onWindow: () => {
          cpu.edge.push(groupCpuSeconds(edgePid, port));
          cpu.bench.push(process.cpuUsage());
        },
      },
      visitors,
      o,
    );
    const requestsPerS = load.latenciesMs.length / o.seconds;
    const failed = Object.values(load.failures).reduce((a, b) => a + b, 0);
    const p50 = percentile(load.latenciesMs, 50);
    const p99 = percentile(load.latenciesMs, 99);
    const actionShare = load.ok > 0 ? load.withActions / load.ok : 0;
    console.log(
      `  decide load: ${load.latenciesMs.length.toLocaleString('en')} requests measured, ${round(requestsPerS, 1)} requests/s, p50 ${round(p50)} ms, p99 ${round(p99)} ms; ` +
        `${round(actionShare * 100, 2)} % of 200 answers carried actions (${load.withActions}); ${failed} answers not 200`,
    );
    if (failed > 0) console.log(`  decide load: NOT 200: ${JSON.stringify(load.failures)}, e.g. ${load.failureSample}`);
    const [edgeBefore, edgeAfter] = cpu.edge;
    const [benchBefore, benchAfter] = cpu.bench;
    const cpuSeconds =
      edgeBefore && edgeAfter && benchBefore && benchAfter
        ? { ...cpuSpent(edgeBefore, edgeAfter), 'bench (load generator + collector stub)': round((benchAfter.user + benchAfter.system - benchBefore.user - benchBefore.system) / 1e6) }
        : {};
    console.log(`  cpu in the measured ${o.seconds} s (s): ${Object.entries(cpuSeconds).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    const relayPerS = load.relayedInWindow / o.seconds;
    console.log(`  relay: ${load.relayedInWindow.toLocaleString('en')} events reached the stub in the measured ${o.seconds} s: ${Math.round(relayPerS).toLocaleString('en')} events/s`);
    const drained = await drain(stub, load.acceptedTotal, o.drainSeconds);
    console.log(`  relay drain: ${stub.distinctEvents().toLocaleString('en')} of ${load.acceptedTotal.toLocaleString('en')} accepted events at the stub ${round(drained.waitedS, 1)} s after the load`);

    // The same requests one at a time, the edge otherwise idle: its service time, without the queueing of 50 in flight.
    console.log(`  unloaded: the same visitors, one request at a time for ${o.unloadedSeconds} s…`);
    const unloaded = await decideLoad({ collectUrl, origin: ORIGIN, stub, label: 'unloaded' }, visitors, {
      seconds: o.unloadedSeconds,
      warmupSeconds: 0,
      concurrency: 1,
      batchSize: o.batchSize,
    });
    console.log(
      `  unloaded: ${unloaded.latenciesMs.length} requests, p50 ${round(percentile(unloaded.latenciesMs, 50))} ms, p99 ${round(percentile(unloaded.latenciesMs, 99))} ms`,
    );

    const accepted = load.acceptedTotal + unloaded.acceptedTotal;
    const final = await drain(stub, accepted, o.drainSeconds);
    const duplicates = stub.events() - stub.distinctEvents();
    const signature = stub.signature();
    console.log(
      `  relay: ${stub.distinctEvents().toLocaleString('en')} of ${accepted.toLocaleString('en')} accepted events reached the stub ` +
        `(${final.missing} missing, ${duplicates} duplicates); first relay's signature ${signature.ok ? 'verified' : `NOT verified (${signature.reason ?? 'no relay arrived'})`}`,
    );

    // The dev server is stopped first: the direct phase gets the machine to itself.
    await edge.stop();
    edge = undefined;
    const direct = await runDirect(o, dir);
    return {
      suite: 'edge',
      figures: {
        'edge.decide_p50_ms': { value: round(p50), unit: 'ms' },
        'edge.decide_p99_ms': { value: round(p99), unit: 'ms' },
        'edge.rules_eval_us_p50': { value: round(rules.p50Us, 3), unit: 'µs' },
        'edge.validate_us_per_event': { value: round(validation.compiledUs, 3), unit: 'µs' },
        'edge.validate_valibot_us_per_event': { value: round(validation.valibotUs, 3), unit: 'µs' },
        'edge.relay_events_per_s': { value: Math.round(relayPerS), unit: 'events/s' },
        ...directFigures(direct),
      },
      context: {
        node: process.version,
        cpus: os.cpus().length,
        edge: 'wrangler dev (workerd) on loopback, started by @sessionflow/infra startEdgeProcess; a fresh --persist-to folder',
        collector: 'a node:http stub in the bench process answering 202 { accepted, deadLettered: 0 } at once: no Kafka',
        decide: {
          visitors: o.visitors,
          concurrency: o.concurrency,
          batchSize: o.batchSize,
          warmupSeconds: o.warmupSeconds,
          seconds: o.seconds,
          requests: load.latenciesMs.length,
          requestsPerS: round(requestsPerS, 1),
          p90Ms: round(percentile(load.latenciesMs, 90)),
          maxMs: round(Math.max(...load.latenciesMs)),
          unloadedP50Ms: round(percentile(unloaded.latenciesMs, 50)),
          unloadedP99Ms: round(percentile(unloaded.latenciesMs, 99)),
          unloadedRequests: unloaded.latenciesMs.length,
          answersWithActions: load.withActions,
          actionShare: round(actionShare, 4),
          actionsByRule: load.actionsByRule,
          notOk: load.failures,
          ...(load.failureSample ? { notOkSample: load.failureSample } : {}),
          note: 'client-side, performance.now() from sending the request to the last byte of the answer, every request started in the measured window; batches built before the clock starts',
        },
        cpuSecondsInWindow: cpuSeconds,
        direct: directContext(direct),
        relay: {
          eventsInWindow: load.relayedInWindow,
          acceptedEvents: accepted,
          eventsAtStub: stub.events(),
          distinctEventsAtStub: stub.distinctEvents(),
          missingAfterDrain: final.missing,
          duplicates,
          secondsToCatchUpAfterLoad: round(drained.waitedS, 1),
          relayRequests: stub.requests(),
          firstSignature: signature,
        },
        validation: { ...validation, note: 'in-process in Node: validateEvent (compiled check, valibot for what it refuses) vs v.safeParse(EventSchema) alone, on the simulated shoppers\' events as parsed JSON; medians of alternating rounds of 20,000 events' },
        rulesEval: {
          rules: 'core DEMO_RULES',
          evaluations: rules.evaluations,
          evaluationsPerBatch: o.evaluationsPerBatch,
          batches: o.batches,
          warmupEvaluations: o.warmupEvaluations,
          timerGrainUs: round(rules.timerGrainUs, 4),
          p99OfBatchMeansUs: round(rules.p99Us, 3),
          signalsOfP50Us: round(rules.signalsP50Us, 3),
          session: rules.session,
          actions: rules.actions,
          note: 'batches of evaluations timed with performance.now(); one sample per batch = batch time / batch size; the figure is the median sample',
        },
      },
    };
  } finally {
    // Each by its own handle; one that fails to stop does not keep the others running.
    await edge?.stop().catch((err: unknown) => console.error(`  edge: stop failed: ${String(err)}`));
    await stub?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The direct phase (direct-phase.ts), printed as it ends. */
async function runDirect(o: EdgeSuiteOptions, dir: string): Promise<DirectPhaseResult> {
  const bundle = process.env.BENCH_EDGE_BUNDLE;
  console.log(`  direct: the same load on the built Worker (${bundle || 'edge/dist/index.js'}) in workerd without wrangler dev's proxy…`);
  const direct = await directPhase(o, { siteKey: SITE_KEY, origin: ORIGIN, secret: SECRET }, dir);
  const seconds = (spent: Record<string, number>) => Object.entries(spent).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(
    `  direct: ${round(direct.requestsPerS, 1)} requests/s, p50 ${round(direct.p50Ms)} ms, p99 ${round(direct.p99Ms)} ms under load; ` +
      `unloaded p50 ${round(direct.unloadedP50Ms)} ms, p99 ${round(direct.unloadedP99Ms)} ms; ${direct.notOk} not 200; ` +
      `cpu (s): ${seconds(direct.cpuSecondsInWindow)}; workerd ${round(direct.cpuUsPerRequest, 1)} µs per request`,
  );
  console.log(
    `  direct open loop: ${direct.open.requests} requests at ${o.openRatePerS}/s offered, p50 ${round(direct.open.p50Ms)} ms, p99 ${round(direct.open.p99Ms)} ms ` +
      `(from the moment each was due; the sender lagged its schedule by ${round(direct.open.maxSendLagMs)} ms at most); ${direct.open.notOk} not 200${direct.open.notOk > 0 ? ` (${JSON.stringify(direct.open.failures)}, e.g. ${direct.open.failureSample ?? '?'})` : ''}, ${direct.open.notSent} not sent; ` +
      `workerd ${round(direct.open.cpuUsPerRequest, 1)} µs per request`,
  );
  console.log(
    `  direct bare route: ${round(direct.bare.requestsPerS, 1)} requests/s, p50 ${round(direct.bare.p50Ms)} ms, p99 ${round(direct.bare.p99Ms)} ms; ${direct.bare.notOk} not 200; ` +
      `cpu (s): ${seconds(direct.bare.cpuSecondsInWindow)}; workerd ${round(direct.bare.cpuUsPerRequest, 1)} µs per request → the edge costs ${round(direct.cpuUsPerRequest / direct.bare.cpuUsPerRequest, 2)}× a bare route`,
  );
  return direct;
}

function directFigures(direct: DirectPhaseResult): SuiteResult['figures'] {
  return {
    'edge.decide_direct_p50_ms': { value: round(direct.p50Ms), unit: 'ms' },
    'edge.decide_direct_p99_ms': { value: round(direct.p99Ms), unit: 'ms' },
    'edge.decide_open_100rps_p99_ms': { value: round(direct.open.p99Ms), unit: 'ms' },
    'edge.cpu_us_per_request': { value: round(direct.cpuUsPerRequest, 1), unit: 'µs' },
    'edge.bare_cpu_us_per_request': { value: round(direct.bare.cpuUsPerRequest, 1), unit: 'µs' },
    'edge.cpu_vs_bare_ratio': { value: round(direct.cpuUsPerRequest / direct.bare.cpuUsPerRequest, 2), unit: '×' },
  };
}

function directContext(direct: DirectPhaseResult): Record<string, unknown> {
  return {
    runtime: 'edge/dist/index.js (the wrangler deploy --dry-run bundle, or BENCH_EDGE_BUNDLE) in workerd through Miniflare alone, bindings from edge/wrangler.toml; no wrangler dev proxy',
    requestsPerS: round(direct.requestsPerS, 1),
    unloadedP50Ms: round(direct.unloadedP50Ms),
    unloadedP99Ms: round(direct.unloadedP99Ms),
    notOk: direct.notOk,
    cpuSecondsInWindow: direct.cpuSecondsInWindow,
    cpuUsPerRequest: round(direct.cpuUsPerRequest, 1),
    open: { ...direct.open, p50Ms: round(direct.open.p50Ms), p99Ms: round(direct.open.p99Ms), maxSendLagMs: round(direct.open.maxSendLagMs), cpuUsPerRequest: round(direct.open.cpuUsPerRequest, 1) },
    bare: { ...direct.bare, requestsPerS: round(direct.bare.requestsPerS, 1), p50Ms: round(direct.bare.p50Ms), p99Ms: round(direct.bare.p99Ms), cpuUsPerRequest: round(direct.bare.cpuUsPerRequest, 1) },
    note: 'cpu per request: workerd\'s utime + stime (/proc, 10 ms ticks) between the two ends of the measured window, over the requests started in it; the edge\'s relays to the stub run in the same workerd and are in it',
  };
}

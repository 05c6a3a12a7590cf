/**
 * The `flash-sale` suite: the whole loop (edge in workerd, collector, Kafka,
 * pipeline, Redis, from infra's `startStack`) under shoppers (../shoppers/)
 * at a steady rate for a minute, ten times that rate for a minute, and the
 * steady rate again until the pipeline has caught up; then every event the
 * edge accepted is looked up downstream (ledger.ts).
 *
 * 1. The shopper model is fitted from the Diginetica sample at start-up.
 * 2. The stack starts; its parts' CPU is read for a few seconds at rest.
 * 3. Warm-up at a low rate (visitor objects made, JITs warm); its CPU per
 *    event chooses the steady rate (steady-rate.ts), unless
 *    BENCH_FLASH_STEADY_EVENTS_PER_S gives one.
 * 4. steady (60 s), spike (10×, 60 s), drain (steady, until the lag is under
 *    1 s and the shoppers hold no more than they did in the steady phase, at
 *    most BENCH_FLASH_DRAIN_MAX_S).
 * 5. The shoppers stop; what they still hold is delivered; the pipeline
 *    catches up; the ledger counts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { repoRoot, startStack, type Stack } from '@sessionflow/infra';
import { openPhaseStore, type PhaseStore } from '../pipeline/phase-store.js';
import { progress } from '../progress.js';
import { type Figure, type SuiteResult } from '../results.js';
import { parseItemViews } from '../shoppers/diginetica.js';
import { fitShopperModel, type ShopperModel } from '../shoppers/fit.js';
import { startShopperLoad, type ShopperLoad } from '../shoppers/load.js';
import { PUBLISHED_RATES } from '../shoppers/rates.js';
import { loadSdkDelivery } from '../shoppers/sdk-delivery.js';
import { ABSENT, type PhaseTally } from '../shoppers/tally.js';
import { visitStats, type VisitStats } from '../shoppers/visit-stats.js';
import { percentile, round } from '../stats.js';
import { countDownstream, type LedgerFigures } from './ledger.js';
import { censusText, devicesOf, outboxCensus, type EdgeAdmin, type OutboxCensus } from './outboxes.js';
import { degradedShare, edgeTimeFromHeaders, type LevelTime } from './levels.js';
import type { Part } from './metrics-text.js';
import { groupListeningOn } from './part-cpu.js';
import { cpuByPhase, drainSeconds, gaugeTimeAtLevels, maxLagSeconds, saturated, type PhaseCpu } from './readings.js';
import { steadyRate, type SteadyRate } from './steady-rate.js';
import { startWatch, withTimeout, type Watch } from './watch.js';

export interface FlashOptions {
  data: string;
  /** Events/s; undefined: chosen from the warm-up. */
  steadyEventsPerS: number | undefined;
  spikeFactor: number;
  phaseSeconds: number;
  drainMaxSeconds: number;
  warmupEventsPerS: number;
  warmupSeconds: number;
  restSeconds: number;
  timeScale: number;
  seed: number;
  maxSockets: number;
  /** Keep the stack's folder (its logs) after a run that did not fail. */
  keepLogs: boolean;
  /** How long the ledger waits for accepted events still on their way (an edge's outbox, the pipeline's lag) before it counts them missing. */
  ledgerWaitSeconds: number;
  /**
   * After that, how much longer it waits while the visitor objects of the devices whose events are missing still hold
   * batches in their outboxes (asked one by one: outboxes.ts) before it counts again; the count is final then.
   */
  outboxWaitSeconds: number;
}

const num = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!(value > 0)) throw new Error(`${name} must be a number above 0, got ${JSON.stringify(raw)}`);
  return value;
};

export function flashOptionsFromEnv(): FlashOptions {
  return {
    data: process.env.BENCH_FLASH_DATA || path.join(repoRoot, '..', 'shared', 'data', 'diginetica-sample-item-views.csv'),
    steadyEventsPerS: process.env.BENCH_FLASH_STEADY_EVENTS_PER_S ? num('BENCH_FLASH_STEADY_EVENTS_PER_S', 0) : undefined,
    spikeFactor: num('BENCH_FLASH_SPIKE_FACTOR', 10),
    phaseSeconds: num('BENCH_FLASH_SECONDS', 60),
    drainMaxSeconds: num('BENCH_FLASH_DRAIN_MAX_S', 90),
    warmupEventsPerS: num('BENCH_FLASH_WARMUP_EVENTS_PER_S', 40),
    warmupSeconds: 25,
    restSeconds: 5,
    timeScale: num('BENCH_FLASH_TIME_SCALE', 20),
    seed: num('BENCH_FLASH_SEED', 14),
    maxSockets: num('BENCH_FLASH_MAX_SOCKETS', 512),
    keepLogs: process.env.BENCH_FLASH_KEEP_LOGS === '1',
    ledgerWaitSeconds: num('BENCH_FLASH_LEDGER_WAIT_S', 60),
    outboxWaitSeconds: num('BENCH_FLASH_OUTBOX_WAIT_S', 300),
  };
}

const PREFIX = 'sf';
const PARTS: readonly Part[] = ['edge', 'collector', 'pipeline'];
const MEASURED = ['steady', 'spike', 'drain'];
/** How long the shoppers get, once they stop, to deliver what they still hold. */
const SETTLE_MS = 20_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function flashSaleSuite(o: FlashOptions = flashOptionsFromEnv()): Promise<SuiteResult> {
  const began = performance.now();
  if (!existsSync(o.data)) {
    throw new Error(`the shoppers are fitted from ${o.data}, which is not there: set BENCH_FLASH_DATA to Diginetica's item-view log (session_id;user_id;item_id;timeframe;eventdate)`);
  }
  const model = fitShopperModel(parseItemViews(readFileSync(o.data, 'utf8'), o.data));
  const stats = visitStats(model, PUBLISHED_RATES, o.timeScale, o.seed + 1_000, 10_000);
  printModel(model, stats, o);
  const sdk = await loadSdkDelivery();
  console.log(`  SDK delivery from sdk/src: batches of up to ${sdk.defaults.maxBatch}, every ${sdk.defaults.flushIntervalMs} ms, requests given up after ${sdk.defaults.requestTimeoutMs} ms`);

  const dir = mkdtempSync(path.join(os.tmpdir(), 'sessionflow-bench-flash-'));
  let stack: Stack | undefined;
  let failed = true;
  try {
    stack = await startStack({ dir, topicPrefix: PREFIX, parts: ['kafka', 'redis', 'collector', 'pipeline', 'edge'], kafkaHeap: '256m', log: (line) => console.log(`  stack: ${line}`) });
    const result = await run(stack, o, model, stats, sdk);
    failed = false;
    console.log(`  the run took ${Math.round((performance.now() - began) / 1000)} s (the stack's start included)`);
    return result;
  } finally {
    await stack?.stop();
    if (failed) console.error(`  flash-sale: failed; the stack's logs are kept in ${path.join(dir, 'logs')}`);
    else if (o.keepLogs) console.log(`  flash-sale: the stack's logs are kept in ${path.join(dir, 'logs')} (BENCH_FLASH_KEEP_LOGS)`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function run(stack: Stack, o: FlashOptions, model: ShopperModel, stats: VisitStats, sdk: Awaited<ReturnType<typeof loadSdkDelivery>>): Promise<SuiteResult> {
  const { edgeUrl, collectorUrl, pipelineUrl, siteOrigin, redisUrl } = stack;
  if (!edgeUrl || !collectorUrl || !pipelineUrl || !siteOrigin || !redisUrl) throw new Error('the stack lacks a part the flash sale needs (edge, collector, pipeline, Redis)');
  const cores = os.cpus().length;
  const groups = processGroups(stack);
  console.log(`  process groups: ${[...groups].map(([name, g]) => `${name} ${g}`).join(', ') || 'none found (no /proc?)'}`);

  const kafka = new Kafka({ clientId: 'sessionflow-bench-flash', brokers: stack.kafkaBrokers, logLevel: logLevel.WARN });
  const admin: Admin = kafka.admin();
  await admin.connect();
  let store: PhaseStore | undefined;
  let watch: Watch | undefined;
  let load: ShopperLoad | undefined;
  try {
    store = await openPhaseStore(stack);
    const edgeGroup = groups.get('edge');
    watch = startWatch({
      metrics: { edge: { url: edgeUrl, bearer: stack.secrets.edgeAdmin }, collector: { url: collectorUrl }, pipeline: { url: pipelineUrl } },
      admin,
      store: store.client,
      prefix: PREFIX,
      groups,
      ...(edgeGroup === undefined ? {} : { edge: { group: edgeGroup, port: Number(new URL(edgeUrl).port) } }),
    });
    load = startShopperLoad({
      sdk,
      model,
      rates: PUBLISHED_RATES,
      collectUrl: `${edgeUrl}/v1/collect?site=${encodeURIComponent(stack.siteKey)}`,
      origin: siteOrigin,
      siteKey: stack.siteKey,
      identitySecret: stack.secrets.siteIdentity,
      timeScale: o.timeScale,
      seed: o.seed,
      eventsPerVisit: stats.eventsPerVisit,
      maxSockets: o.maxSockets,
    });
    const phases = new Phases(load, watch);
    const bar = progress();
    const ticker = setInterval(() => bar.update(progressLine(phases, load!, watch!)), 1000);
    let steady: SteadyRate | undefined;
    let rate: number;
    let drainedAt: { seconds: number; reason: string } | undefined;
    try {
      phases.enter('rest', 0);
      await sleep(o.restSeconds * 1000);
      phases.enter('warm-up', o.warmupEventsPerS);
      await sleep((o.warmupSeconds - 15) * 1000);
      // The last 15 s of the warm-up, visits by then arriving and ending at the warm-up rate, price an event.
      phases.enter('probe', o.warmupEventsPerS);
      await sleep(15_000);
      if (o.steadyEventsPerS !== undefined) {
        rate = o.steadyEventsPerS;
      } else {
        steady = steadyRate({ cpuSecondsPerEvent: cpuPerEvent(watch, load), cores });
        rate = steady.eventsPerS;
      }
      bar.done();
      console.log(`  steady rate: ${rate} events/s (${o.steadyEventsPerS !== undefined ? 'BENCH_FLASH_STEADY_EVENTS_PER_S' : `chosen from the warm-up, limited by ${steady!.limitedBy}`}); spike ${rate * o.spikeFactor} events/s`);
      phases.enter('steady', rate);
      await sleep(o.phaseSeconds * 1000);
      const steadyHolding = Math.max(load.holding().events, 1);
      phases.enter('spike', rate * o.spikeFactor);
      await sleep(o.phaseSeconds * 1000);
      phases.enter('drain', rate);
      const drainStart = performance.now();
      for (;;) {
        await sleep(1000);
        const lag = watch.latest()?.lag.seconds ?? Number.POSITIVE_INFINITY;
        const waited = (performance.now() - drainStart) / 1000;
        if (lag < 1 && load.holding().events <= 2 * steadyHolding) {
          drainedAt = { seconds: waited, reason: 'lag under 1 s, and the shoppers hold no more than twice what they held in the steady phase' };
          break;
        }
        if (waited >= o.drainMaxSeconds) break;
      }
      // What the shoppers still hold gets a while to arrive; the ledger then waits for the pipeline itself.
      phases.enter('settle', 0);
      load.stopCapture();
      await until(() => load!.holding().events === 0, SETTLE_MS);
    } finally {
      clearInterval(ticker);
      bar.done();
    }
    await watch.stop();
    const held = load.holding();
    load.close();
    return await figures({ stack, o, model, stats, phases, load, watch, steady, rate, drainedAt, held, cores });
  } finally {
    load?.close();
    await watch?.stop();
    // Bounded: a client stuck on a part that no longer answers must not keep the stack from stopping.
    await withTimeout(store?.close() ?? Promise.resolve(), 10_000, 'the store client did not close').catch(() => undefined);
    await withTimeout(admin.disconnect(), 10_000, "Kafka's admin client did not disconnect").catch(() => undefined);
  }
}

function lostIds(l: LedgerFigures): string[] {
  return [...new Set([...l.report.missingFromKafka, ...l.report.missingFromPipeline])];
}

function censusFigures(c: OutboxCensus): Record<string, unknown> {
  return { devices: c.devices, holding: c.holding, batches: c.batches, unanswered: c.unanswered, ...(c.firstFailure !== undefined ? { firstFailure: c.firstFailure } : {}) };
}

interface OutboxWait {
  first?: OutboxCensus;
  afterWait?: OutboxCensus;
  last?: OutboxCensus;
  waitedS: number;
  /** Batches still waiting at each check (every 5 s). */
  trail: number[];
}

/**
 * Whether the events the ledger did not find are still in the edge: the outboxes of their devices are asked, and
 * while some hold batches the run waits (every 5 s, up to `maxS`), so a figure of lost events is never one of
 * events still on their way.
 */
async function waitForOutboxes(edge: EdgeAdmin, ledger: LedgerFigures, deviceOf: ReadonlyMap<string, string>, maxS: number): Promise<OutboxWait> {
  const out: OutboxWait = { waitedS: 0, trail: [] };
  if (ledger.lost === 0) return out;
  const ids = lostIds(ledger);
  const devices = devicesOf(ids, deviceOf);
  out.first = await outboxCensus(edge, devices);
  console.log(`  ledger: ${ledger.lost} lost (${ids.length - [...ids].filter((id) => deviceOf.has(id)).length} of unknown device); their devices' outboxes: ${censusText(out.first)}`);
  if (out.first.batches === 0 && out.first.unanswered === 0) return out;
  const start = performance.now();
  let census = out.first;
  out.trail.push(census.batches);
  // An object that did not answer (a busy edge) is asked again: it may hold batches as well.
  while ((census.batches > 0 || census.unanswered > 0) && (performance.now() - start) / 1000 < maxS) {
    await sleep(5000);
    census = await outboxCensus(edge, [...census.holdingDevices, ...census.unansweredDevices]);
    out.trail.push(census.batches);
    if (out.trail.length % 6 === 0) console.log(`  ledger: still waiting for the outboxes: ${censusText(census)} (${Math.round((performance.now() - start) / 1000)} s)`);
  }
  out.waitedS = (performance.now() - start) / 1000;
  out.afterWait = census;
  console.log(`  ledger: after ${Math.round(out.waitedS)} s of waiting for the outboxes: ${censusText(census)}`);
  return out;
}

/** The phases of the run, named alike in the load's tally and in the readings. */
class Phases {
  readonly spans: Array<{ name: string; from: number; eventsPerS: number }> = [];
  constructor(
    private readonly load: ShopperLoad,
    private readonly watch: Watch,
  ) {}

  enter(name: string, eventsPerS: number): void {
    this.spans.push({ name, from: performance.now(), eventsPerS });
    this.load.setPhase(name);
    this.watch.setPhase(name);
    this.load.setRate(eventsPerS);
  }

  current() {
    return this.spans[this.spans.length - 1]!;
  }

  endOf(name: string): number | undefined {
    const i = this.spans.findIndex((s) => s.name === name);
    return i < 0 ? undefined : this.spans[i + 1]?.from;
  }

  fromOf(name: string): number | undefined {
    return this.spans.find((s) => s.name === name)?.from;
  }
}

function processGroups(stack: Stack): Map<string, number> {
  const portOf = (url: string | undefined) => (url === undefined ? undefined : Number(new URL(url.includes('://') ? url : `tcp://${url}`).port));
  const ports: Array<[string, number | undefined]> = [
    ['edge', portOf(stack.edgeUrl)],
    ['collector', portOf(stack.collectorUrl)],
    ['pipeline', portOf(stack.pipelineUrl)],
    ['kafka', portOf(stack.kafkaBrokers[0])],
    ['redis', portOf(stack.redisUrl)],
  ];
  const out = new Map<string, number>();
  for (const [name, port] of ports) {
    const group = port === undefined ? undefined : groupListeningOn(port);
    if (group !== undefined) out.set(name, group);
  }
  return out;
}

/** CPU seconds per offered event of each part in the probe window, beyond what it spent at rest. */
function cpuPerEvent(watch: Watch, load: ShopperLoad): Record<string, number> {
  const byPhase = cpuByPhase(watch.readings, os.cpus().length);
  const rest = byPhase['rest'];
  const probe = byPhase['probe'];
  const offered = load.tally.phases.get('probe')?.offered ?? 0;
  if (!probe || offered === 0) throw new Error('the warm-up offered no events in its probe window: no steady rate can be chosen (set BENCH_FLASH_STEADY_EVENTS_PER_S)');
  const eventsPerS = offered / probe.seconds;
  const names = Object.keys(probe.cores);
  // The edge is priced process by process (workerd, wrangler's Node dev server): each is one thread.
  const priced = names.filter((name) => !names.some((other) => other.startsWith(`${name} › `)));
  return Object.fromEntries(priced.map((part) => [part, Math.max(0, probe.cores[part]! - (rest?.cores[part] ?? 0)) / eventsPerS]));
}

async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const started = performance.now();
  while (!done()) {
    if (performance.now() - started > timeoutMs) return false;
    await sleep(250);
  }
  return true;
}

function progressLine(phases: Phases, load: ShopperLoad, watch: Watch): string {
  const span = phases.current();
  const t = load.tally.phases.get(span.name);
  const elapsed = (performance.now() - span.from) / 1000;
  const latest = watch.latest();
  const held = load.holding();
  const ok = t?.okLatenciesMs ?? [];
  const notOk = t ? Object.entries(t.byStatus).filter(([s]) => s !== '200').reduce((a, [, n]) => a + n, 0) : 0;
  const levels = latest ? PARTS.map((p) => `${p} ${latest.unanswered.includes(p) ? 'no answer' : (latest.levels[p] ?? 'absent')}`).join(', ') : '';
  return (
    `  ${span.name} ${Math.round(elapsed)} s: offered ${Math.round((t?.offered ?? 0) / Math.max(elapsed, 1))}/s (target ${span.eventsPerS}), accepted ${Math.round((t?.accepted ?? 0) / Math.max(elapsed, 1))}/s, ` +
    `p99 ${ok.length ? round(percentile(ok.slice(-2000), 99)) : '-'} ms, not 200: ${notOk}, held by shoppers ${held.events} (${held.devices} devices), ` +
    `lag ${latest ? round(latest.lag.seconds, 1) : '-'} s; levels (gauges): ${levels}`
  );
}

interface FigureInput {
  stack: Stack;
  o: FlashOptions;
  model: ShopperModel;
  stats: VisitStats;
  phases: Phases;
  load: ShopperLoad;
  watch: Watch;
  steady: SteadyRate | undefined;
  rate: number;
  drainedAt: { seconds: number; reason: string } | undefined;
  held: { events: number; devices: number };
  cores: number;
}

async function figures(f: FigureInput): Promise<SuiteResult> {
  const { load, watch, phases } = f;
  const tally = load.tally;
  const phase = (name: string): PhaseTally | undefined => tally.phases.get(name);
  const offered = [...tally.phases.values()].reduce((a, p) => a + p.offered, 0);
  const accepted = tally.accepted.size;

  const spikeEnd = phases.endOf('spike')!;
  const drain = drainSeconds(watch.readings, spikeEnd);
  const maxLag = maxLagSeconds(watch.readings, MEASURED);
  const steadyOk = phase('steady')?.okLatenciesMs ?? [];
  const spikeOk = phase('spike')?.okLatenciesMs ?? [];
  const spikeLevels = phase('spike')?.okByLevel ?? {};
  const headerAbsent = (p: PhaseTally | undefined) => p?.okByLevel[ABSENT] ?? 0;

  // Time at each level over the measured phases: the parts' gauges, and the edge's answers.
  const gaugeTime = gaugeTimeAtLevels(watch.readings, MEASURED, PARTS);
  const second = (at: number) => Math.floor((at - tally.origin) / 1000);
  const edgeHeaders = edgeTimeFromHeaders(tally.levelsBySecond, second(phases.fromOf('steady')!), second(phases.fromOf('settle')!));
  const cpu = cpuByPhase(watch.readings, f.cores);

  console.log('');
  for (const name of ['steady', 'spike', 'drain']) {
    const p = phase(name);
    const c = cpu[name];
    if (!p || !c) continue;
    const notOk = Object.entries(p.byStatus).filter(([s]) => s !== '200');
    console.log(
      `  ${name}: ${Math.round(c.seconds)} s, offered ${Math.round(p.offered / c.seconds)} events/s, accepted ${Math.round(p.accepted / c.seconds)} events/s, ${p.requests} requests ` +
        `(${notOk.length ? notOk.map(([s, n]) => `${n} × ${s}`).join(', ') : 'all 200'}); 200 answers p50 ${round(percentile(p.okLatenciesMs, 50))} ms, p99 ${round(percentile(p.okLatenciesMs, 99))} ms; ` +
        `levels in the answers: ${Object.entries(p.okByLevel).map(([l, n]) => `${l === ABSENT ? 'header absent' : l} ${n}`).join(', ') || 'none'}`,
    );
    for (const [status, said] of Object.entries(p.said)) console.log(`    ${status} said: ${said.replace(/\s+/g, ' ').slice(0, 160)}`);
    console.log(`  ${name} CPU: ${cpuText(c)}${saturatedText(c, f.cores)}`);
  }
  console.log(`  pipeline lag: max ${round(maxLag, 1)} s (${watch.latest()?.lag.source ?? 'no reading'}); back under 1 s ${drain === undefined ? 'never within the run' : `${round(drain, 1)} s after the spike ended`}`);
  console.log(`  levels by gauge (s): ${PARTS.map((p) => `${p} ${levelText(gaugeTime[p]!)}`).join('; ')}`);
  console.log(`  edge level by x-sf-level (s): ${levelText(edgeHeaders.time)}${edgeHeaders.headerAbsentS > 0 ? ` (the header was absent from every answer in ${edgeHeaders.headerAbsentS} of those seconds; counted as full)` : ''}`);
  if (f.held.events > 0) console.log(`  the shoppers still held ${f.held.events} events on ${f.held.devices} devices when the run ended (offered, never accepted)`);

  console.log(`  ledger: looking up ${accepted.toLocaleString('en')} accepted event ids in ${PREFIX}.events and in the pipeline's state…`);
  const count = () =>
    countDownstream(
      { kafkaBrokers: f.stack.kafkaBrokers, topicPrefix: PREFIX, redisUrl: f.stack.redisUrl, collectorUrl: f.stack.collectorUrl!, readSecret: f.stack.readSecret },
      tally.accepted,
      f.o.ledgerWaitSeconds * 1000,
      (line) => console.log(`  ${line}`),
    );
  const edgeAdmin: EdgeAdmin = { url: f.stack.edgeUrl!, bearer: f.stack.secrets.edgeAdmin, siteKey: f.stack.siteKey };
  let ledgerResult = await count();
  const outboxes = await waitForOutboxes(edgeAdmin, ledgerResult, tally.acceptedBy, f.o.outboxWaitSeconds);
  if (outboxes.first !== undefined && (outboxes.first.batches > 0 || outboxes.first.unanswered > 0)) {
    console.log(`  ledger: counting again after the outboxes' wait…`);
    ledgerResult = await count();
    outboxes.last = await outboxCensus(edgeAdmin, devicesOf(lostIds(ledgerResult), tally.acceptedBy));
    console.log(`  ledger: ${ledgerResult.lost} lost; their devices' outboxes now: ${censusText(outboxes.last)}`);
  }
  const a = ledgerResult.report;
  const waited = (performance.now() - (phases.fromOf('settle') ?? performance.now())) / 1000;
  console.log(
    `  ledger (${Math.round(waited)} s after the shoppers stopped): ${a.inKafka.toLocaleString('en')} of ${a.accepted.toLocaleString('en')} in ${PREFIX}.events (${a.missingFromKafka.length} missing, ${a.duplicatesInKafka} duplicate records), ` +
      `${a.countedByPipeline.toLocaleString('en')} counted by every stage (${a.missingFromPipeline.length} missing), ${a.duplicateEffects} counts beyond one (${a.countedTwice.length} ids named)`,
  );

  const figs: Record<string, Figure> = {
    'flash.steady_events_per_s': { value: f.rate, unit: 'events/s' },
    'flash.offered_events': { value: offered, unit: 'events' },
    'flash.accepted_events': { value: accepted, unit: 'events' },
  };
  figs['flash.lost_events'] = { value: ledgerResult.lost, unit: 'events' };
  figs['flash.duplicate_effects'] = { value: ledgerResult.duplicateEffects, unit: 'counts' };
  figs['flash.unaccepted_events'] = { value: f.held.events, unit: 'events' };
  figs['flash.max_pipeline_lag_s'] = { value: round(maxLag, 1), unit: 's' };
  if (drain !== undefined) figs['flash.drain_s'] = { value: round(drain, 1), unit: 's' };
  figs['flash.decide_p99_steady_ms'] = { value: round(percentile(steadyOk, 99)), unit: 'ms' };
  figs['flash.decide_p99_spike_ms'] = { value: round(percentile(spikeOk, 99)), unit: 'ms' };
  figs['flash.degraded_decision_share'] = { value: round(degradedShare(spikeLevels), 4), unit: 'share' };
  for (const part of PARTS) for (const [level, s] of Object.entries(gaugeTime[part]!)) figs[`flash.time_at_each_level_s.${part}.${level}`] = { value: s, unit: 's' };
  for (const [level, s] of Object.entries(edgeHeaders.time)) figs[`flash.time_at_each_level_s.edge_answers.${level}`] = { value: s, unit: 's' };

  return {
    suite: 'flash-sale',
    figures: figs,
    context: {
      node: process.version,
      cpus: f.cores,
      note: 'one machine, two cores shared with other work: the load generator, the edge (wrangler dev: workerd and its Node dev server), the collector, the pipeline, Kafka and Redis on the same cores; figures move from run to run',
      stack: 'startStack: one KRaft broker (256m heap), one redis-server, collector, pipeline, edge (wrangler dev, workerd)',
      phases: Object.fromEntries(
        phases.spans.map((s, i) => {
          const p = phase(s.name);
          const until = phases.spans[i + 1]?.from;
          return [
            s.name,
            {
              targetEventsPerS: s.eventsPerS,
              seconds: until === undefined ? undefined : round((until - s.from) / 1000, 1),
              offered: p?.offered ?? 0,
              accepted: p?.accepted ?? 0,
              requests: p?.requests ?? 0,
              byStatus: p?.byStatus ?? {},
              retryAfter: p?.retryAfter ?? {},
              said: p?.said ?? {},
              okP50Ms: p && p.okLatenciesMs.length ? round(percentile(p.okLatenciesMs, 50)) : null,
              okP99Ms: p && p.okLatenciesMs.length ? round(percentile(p.okLatenciesMs, 99)) : null,
              okByLevel: p?.okByLevel ?? {},
              okByLevelReason: p?.okByReason ?? {},
              okWithActions: p?.okWithActions ?? 0,
              identifies: p?.identity ?? {},
              levelHeaderAbsent: headerAbsent(p),
              cpu: cpu[s.name] ? { ...cpu[s.name], cores: roundAll(cpu[s.name]!.cores), machineBusy: cpu[s.name]!.machineBusy === undefined ? null : round(cpu[s.name]!.machineBusy!, 3), saturated: saturated(cpu[s.name]!, f.cores) } : null,
            },
          ];
        }),
      ),
      steadyRate: f.steady ? { chosenFrom: 'warm-up CPU per event', limitedBy: f.steady.limitedBy, byPartEventsPerS: roundAll(f.steady.byPart, 0) } : { chosenFrom: 'BENCH_FLASH_STEADY_EVENTS_PER_S' },
      drain: f.drainedAt ? { phaseSeconds: round(f.drainedAt.seconds, 1), endedWhen: f.drainedAt.reason } : { phaseSeconds: f.o.drainMaxSeconds, endedWhen: `not drained within BENCH_FLASH_DRAIN_MAX_S (${f.o.drainMaxSeconds} s)` },
      lag: { source: watch.latest()?.lag.source ?? null, readings: watch.readings.length },
      edgeLevelHeader: { headerAbsentSeconds: edgeHeaders.headerAbsentS, rule: 'each second at the worst level a 200 answer in it carried; an answer without x-sf-level counts as full' },
      resentEvents: tally.resent,
      stillHeldAtEnd: f.held,
      sdkQueueDropped: load.dropped(),
      ledger: {
        countedSecondsAfterShoppersStopped: Math.round(waited),
        waitAllowedS: f.o.ledgerWaitSeconds,
        outboxes: {
          rule: 'after the first count, the visitor objects of the devices of the lost ids are asked for their outbox depth (GET /v1/admin/visitors/:id); while some hold batches, up to outboxWaitAllowedS, then the ledger counts again',
          outboxWaitAllowedS: f.o.outboxWaitSeconds,
          waitedS: round(outboxes.waitedS, 1),
          atFirstCount: outboxes.first === undefined ? null : censusFigures(outboxes.first),
          afterWaiting: outboxes.afterWait === undefined ? null : censusFigures(outboxes.afterWait),
          atFinalCount: outboxes.last === undefined ? null : censusFigures(outboxes.last),
          drainedPerCheck: outboxes.trail,
        },
        accepted: a.accepted,
        inKafka: a.inKafka,
        duplicatesInKafka: a.duplicatesInKafka,
        countedByPipeline: a.countedByPipeline,
        duplicateEffects: a.duplicateEffects,
        sessionsTooLongForItems: a.sessionsTooLongForItems,
        stages: Object.fromEntries(Object.entries(a.stages).map(([stage, t]) => [stage, { counted: t.counted, missing: t.missing.length, extraCounts: t.extraCounts, sessionMismatches: t.sessionMismatches.slice(0, 20) }])),
        missingFromKafka: a.missingFromKafka.slice(0, 20),
        missingFromPipeline: a.missingFromPipeline.slice(0, 20),
        countedTwice: a.countedTwice.slice(0, 20),
        note: 'the id lists are cut at 20; lost_events = accepted ids missing from sf.events or from some stage when the ledger counted (after up to waitAllowedS of waiting, and up to outboxes.outboxWaitAllowedS more while their devices\' outboxes still held batches: an id still in an edge outbox then counts as lost, and outboxes.atFinalCount says how many batches were still there); duplicate_effects = counts beyond one, all stages (infra/src/audit/)',
      },
      shoppers: {
        data: path.basename(f.o.data),
        fittedFrom: f.model.source,
        viewsPerSessionMean: round(meanViews(f.model), 2),
        firstViewMs: { ...roundAll({ mu: f.model.firstViewMs.mu, sigma: f.model.firstViewMs.sigma, ks: f.model.firstViewMs.ks }, 3), max: f.model.firstViewMs.max },
        gapMs: { ...roundAll({ mu: f.model.gapMs.mu, sigma: f.model.gapMs.sigma, ks: f.model.gapMs.ks }, 3), max: f.model.gapMs.max },
        repeatShare: round(f.model.repeatShare, 4),
        signInShare: round(f.model.signInShare, 4),
        midSessionSignInShare: round(f.model.midSessionSignInShare, 4),
        sessionsPerUser: Object.fromEntries(f.model.sessionsPerUser.values.map((v, i) => [v, round(f.model.sessionsPerUser.cumulative[i]! - (i ? f.model.sessionsPerUser.cumulative[i - 1]! : 0), 4)])),
        published: PUBLISHED_RATES,
        timeScale: f.o.timeScale,
        perVisit: { ...roundAll({ events: f.stats.eventsPerVisit, sessions: f.stats.sessionsPerVisit, devices: f.stats.devicesPerVisit, seconds: f.stats.meanVisitMs / 1000 }, 2), eventMix: roundAll(f.stats.eventMix, 4) },
        seed: f.o.seed,
      },
    },
  };
}

function meanViews(model: ShopperModel): number {
  const d = model.viewsPerSession;
  return d.values.reduce((sum, v, i) => sum + v * (d.cumulative[i]! - (i ? d.cumulative[i - 1]! : 0)), 0);
}

function roundAll(values: Readonly<Record<string, number>>, digits = 3): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, round(v, digits)]));
}

function cpuText(c: PhaseCpu): string {
  const parts = Object.entries(c.cores)
    .sort(([, a], [, b]) => b - a)
    .map(([name, v]) => `${name} ${round(v, 2)}`)
    .join(', ');
  return `cores: ${parts}${c.machineBusy === undefined ? '' : `; machine ${Math.round(c.machineBusy * 100)} % busy (everyone's)`}`;
}

function saturatedText(c: PhaseCpu, cores: number): string {
  const s = saturated(c, cores);
  return s.length === 0 ? '; nothing at its limit' : `; at its limit: ${s.join(', ')}`;
}

function levelText(time: LevelTime): string {
  const entries = Object.entries(time);
  return entries.length === 0 ? 'no readings' : entries.map(([level, s]) => `${level} ${s}`).join(', ');
}

function printModel(model: ShopperModel, stats: VisitStats, o: FlashOptions): void {
  const s = model.source;
  console.log(
    `  shoppers fitted from ${path.basename(o.data)}: ${s.sessions.toLocaleString('en')} sessions, ${s.views.toLocaleString('en')} views of ${s.products.toLocaleString('en')} products; ` +
      `${round(meanViews(model), 2)} views a session, gaps log-normal (median ${round(Math.exp(model.gapMs.mu) / 1000, 1)} s, KS ${round(model.gapMs.ks, 3)}), ` +
      `first view after ${round(Math.exp(model.firstViewMs.mu) / 1000, 1)} s (median, KS ${round(model.firstViewMs.ks, 3)}), ${Math.round(model.repeatShare * 100)} % of later views go back to a product, ` +
      `${Math.round(model.signInShare * 100)} % of sessions signed in, sessions per user ${model.sessionsPerUser.values.join('/')}`,
  );
  console.log(
    `  a visit: ${round(stats.eventsPerVisit, 1)} events, ${round(stats.sessionsPerVisit, 2)} sessions on ${round(stats.devicesPerVisit, 2)} devices, ${round(stats.meanVisitMs / 1000, 1)} s at time scale 1/${o.timeScale}; ` +
      `carts in ${round(stats.cartShare * 100, 1)} % of sessions, purchases in ${round(stats.purchaseShare * 100, 1)} % (published rates)`,
  );
}

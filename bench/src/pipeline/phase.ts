/**
 * One phase of the pipeline suite on a running stack (one broker and one
 * redis-server, or the local Kafka cluster and Redis Cluster): the catalog
 * through the collector, the same preloaded events into `<prefix>.events`,
 * ONE pipeline process, then its throughput with the CPU of everything it
 * loads, then Kafka → Redis latency under a steady load, then the servers'
 * CPU at rest once the pipeline stopped. The pipeline is stopped by its
 * handle before the phase returns; the stack is the caller's.
 */
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import kafkajs, { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import { topicNames } from '@sessionflow/core';
import { freePort, startPipelineProcess, type HttpService, type Stack } from '@sessionflow/infra';
import { progress } from '../progress.js';
import { percentile, round } from '../stats.js';
import { scrapeBatches, type StageBatches } from './batch-stats.js';
import { coresUsed, cpuWindow, redisUsPerEvent, type CpuRates, type CpuWindow } from './cpu-ledger.js';
import { kafkaPidsBelow, redisCommandStats, sampleCpu, type CpuSources } from './cpu.js';
import { commandsPerEvent, type CommandStat } from './cpu-parse.js';
import { kafkaToRedis, type LatencyOptions } from './latency.js';
import { openPhaseStore, type PhaseStore } from './phase-store.js';
import { timeCatchUp, type CatchUp } from './throughput.js';
import { CATEGORIES, PRODUCTS, type WorkloadRecord } from './workload.js';

// kafkajs is CommonJS: its enums are not among the named exports Node finds.
const { ConfigResourceTypes } = kafkajs;

export interface PhaseOptions extends LatencyOptions {
  /** `single` or `cluster`: names the progress lines and the pipeline's log file. */
  name: string;
  /** The stack's folder: the Kafka JVMs below it are the ones whose CPU is counted. */
  dir: string;
  prefix: string;
  records: readonly WorkloadRecord[];
  /** Seconds of no traffic, at the end of the phase, in which the servers' CPU at rest is read. */
  restSeconds: number;
  /** Another build's `collector/dist/pipeline/main.js` to run instead of this tree's (BENCH_PIPELINE_ENTRY: A/B runs). */
  pipelineEntry?: string | undefined;
}

/** How the phase's topics were set up, read back from Kafka. */
export interface TopicSetup {
  partitions: number;
  replicationFactor: number;
  minInsyncReplicas: number;
}

export interface PhaseResult<T> {
  /** What `alsoMeasure` returned, with the pipeline still running. */
  also: T;
  throughput: CatchUp;
  cpu: CpuWindow;
  /** Cores each server kept busy with no traffic, once the phase's pipeline stopped. */
  atRest: CpuRates;
  /** Per stage, the batches the pipeline reports (/metrics) once it applied everything. */
  batches: Record<string, StageBatches>;
  latencyMs: number[];
  /** Where the cores went while the latency was measured (per event: background events and probes). */
  latencyCpu: CpuWindow;
  topics: TopicSetup;
  /** The redis-servers whose INFO cpu was read, by role. */
  redisNodes: { masters: number; replicas: number };
  /** Kafka JVMs whose CPU was read (0 when Kafka is not this stack's). */
  kafkaProcesses: number;
  /**
   * Redis commands per event over the throughput run (INFO commandstats of the masters, from just before the
   * pipeline started until it applied everything; the bench's own reads of the offsets are among them, a few
   * hundred calls), the most costly first: calls per event and the server's µs per event in each.
   */
  commands: { command: string; callsPerEvent: number; usPerEvent: number }[];
}

/** `alsoMeasure` runs last, while the phase's pipeline still runs (the single phase's cross-device loop). */
export async function runPhase<T = undefined>(stack: Stack, o: PhaseOptions, alsoMeasure?: () => Promise<T>): Promise<PhaseResult<T>> {
  const label = (what: string) => (o.name === 'single' ? what : `${o.name} ${what}`);
  const topics = topicNames(o.prefix);
  const kafka = new Kafka({ clientId: `sessionflow-bench-pipeline-${o.name}`, brokers: stack.kafkaBrokers, logLevel: logLevel.WARN });
  let producer: Producer | undefined;
  let admin: Admin | undefined;
  let store: PhaseStore | undefined;
  let pipeline: HttpService | undefined;
  try {
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    admin = kafka.admin();
    await admin.connect();
    store = await openPhaseStore(stack);

    await postCatalog(stack);
    console.log(`  ${label('catalog')}: ${PRODUCTS.length} products in ${CATEGORIES.length} categories sent to the collector`);
    const bar = progress();
    for (let i = 0; i < o.records.length; i += 2_000) {
      await producer.send({ topic: topics.events, acks: -1, messages: o.records.slice(i, i + 2_000) });
      bar.update(`  ${label('preload')}: ${Math.min(i + 2_000, o.records.length).toLocaleString('en')}/${o.records.length.toLocaleString('en')} events in ${topics.events}`);
    }
    bar.done();
    const setup = await topicSetup(admin, topics.events);
    await untilInSync(admin, topics.events, label('preload'));

    console.log(`  ${label('pipeline')}: starting one process (identity, sessions and aggregates stages)${o.pipelineEntry ? ` from ${o.pipelineEntry}` : ''}…`);
    const commandsBefore: Map<string, CommandStat> = await redisCommandStats(store.nodes);
    pipeline = await startPipelineProcess({
      ...(o.pipelineEntry ? { entry: o.pipelineEntry } : {}),
      port: await freePort(),
      brokers: stack.kafkaBrokers,
      redisUrl: stack.redisUrl!,
      erasureSecret: stack.secrets.erasure,
      topicPrefix: o.prefix,
      partitions: setup.partitions,
      logFile: path.join(o.dir, 'logs', `pipeline-${o.name}.log`),
      env: {
        // The topics' own settings, as `npm start -- --cluster` gives them, so the pipeline warns about none.
        KAFKA_REPLICATION_FACTOR: String(setup.replicationFactor),
        KAFKA_MIN_INSYNC_REPLICAS: String(setup.minInsyncReplicas),
        ...profiling(o.name),
      },
    });
    const sources = { pipelinePid: pipeline.child.pid, kafkaPids: kafkaPidsBelow(o.dir), redisNodes: store.nodes };
    const throughput = await timeCatchUp({ store: store.client, admin, prefix: o.prefix, topics, events: o.records.length, sampleCpu: () => sampleCpu(sources), label: label('throughput') });
    console.log(`  ${label('throughput')}: ${o.records.length.toLocaleString('en')} events through every stage in ${round(throughput.seconds, 2)} s: ${Math.round(throughput.eventsPerS).toLocaleString('en')} events/s (${throughput.byUser.toLocaleString('en')} re-keyed records)`);
    // Printed now as well as with the servers' rest below: a latency phase that fails still leaves these.
    const early = cpuWindow(throughput.cpu.first, throughput.cpu.last, o.records.length, throughput.seconds, cpuCount());
    console.log(`  ${label('throughput')}: CPU per event: pipeline ${round(early.usPerEvent.pipeline ?? NaN, 1)} µs, Redis ${round(redisUsPerEvent(early) ?? NaN, 1)} µs`);
    const commands = commandsPerEvent(commandsBefore, await redisCommandStats(store.nodes), o.records.length);
    console.log(`  ${label('throughput')}: Redis commands per event (calls, server µs): ${commandsText(commands)}`);
    const batches = await scrapeBatches(pipeline.url);
    console.log(`  ${label('throughput')}: batches ${batchesText(batches)}`);

    const latencyStart = { at: performance.now(), cpu: await sampleCpu(sources) };
    const { latencyMs, background } = await kafkaToRedis(producer, store.client, admin, o.prefix, topics.events, o, label('kafka → redis'));
    const latencyCpu = cpuWindow(latencyStart.cpu, await sampleCpu(sources), background + latencyMs.length, (performance.now() - latencyStart.at) / 1000, cpuCount());
    console.log(`  ${label('kafka → redis')}: ${latencyMs.length} probes under ${o.backgroundPerS.toLocaleString('en')} events/s, p50 ${round(percentile(latencyMs, 50))} ms, p99 ${round(percentile(latencyMs, 99))} ms; ${sharesText(latencyCpu)}`);
    const also = (await alsoMeasure?.()) as T;

    // The servers at rest, read last: just after they start, the JVMs compile and the cluster settles (up to a
    // few tenths of a core more for a minute, measured), and just after the preload the brokers still work on it.
    await pipeline.stop();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const rest = await atRest({ kafkaPids: sources.kafkaPids, redisNodes: store.nodes }, o.restSeconds);
    const cpu = cpuWindow(throughput.cpu.first, throughput.cpu.last, o.records.length, throughput.seconds, cpuCount(), rest);
    console.log(`  ${label('throughput')}: ${cpuText(cpu)}`);
    console.log(`  ${label('at rest')}: ${o.restSeconds} s with no traffic once the pipeline stopped: Kafka ${cores(rest.kafka)}, Redis ${cores(sumOf(rest.redisMasters, rest.redisReplicas))}`);
    return {
      also,
      throughput,
      cpu,
      atRest: rest,
      batches: Object.fromEntries(batches),
      latencyMs,
      latencyCpu,
      topics: setup,
      redisNodes: { masters: store.nodes.filter((n) => n.role === 'master').length, replicas: store.nodes.filter((n) => n.role === 'replica').length },
      kafkaProcesses: sources.kafkaPids.length,
      commands,
    };
  } finally {
    await pipeline?.stop().catch((err: unknown) => console.error(`  ${label('pipeline')}: stop failed: ${String(err)}`));
    await producer?.disconnect().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    await store?.close();
  }
}

/**
 * Waits until every replica of `topic` is in sync again: on a loaded machine a follower may drop out of the ISR
 * during the preload and catch up afterwards, work that would otherwise land in the pipeline's window.
 */
async function untilInSync(admin: Admin, topic: string, label: string): Promise<void> {
  const started = performance.now();
  for (;;) {
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    const lagging = (metadata?.partitions ?? []).filter((p) => p.isr.length < p.replicas.length);
    const waited = (performance.now() - started) / 1000;
    if (lagging.length === 0) {
      if (waited >= 1) console.log(`  ${label}: every replica of ${topic} in sync again after ${round(waited, 1)} s`);
      return;
    }
    if (waited > 120) {
      console.log(`  ${label}: partitions ${lagging.map((p) => p.partitionId).join(', ')} of ${topic} still lack an in-sync replica after 120 s; measuring anyway`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** What the servers cost with no traffic: their CPU counters `seconds` apart while nothing is sent and no pipeline runs. */
async function atRest(sources: CpuSources, seconds: number): Promise<CpuRates> {
  const before = await sampleCpu(sources);
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const after = await sampleCpu(sources);
  // The bench's own process is counted at rest too, but only to leave it out: it is not a server.
  return { ...coresUsed(before, after, (performance.now() - started) / 1000), bench: null };
}

const cores = (v: number | null) => (v === null ? 'not measured here' : `${round(v, 2)} cores`);
const sumOf = (...values: (number | null)[]) => (values.some((v) => v === null) ? null : values.reduce<number>((s, v) => s + v!, 0));

/** CPU per event of the pipeline and of Redis, and where the machine's cores went. */
function cpuText(cpu: CpuWindow): string {
  const us = (v: number | null) => (v === null ? 'not measured here' : `${round(v, 1)} µs`);
  const redis = cpu.usPerEvent.redisReplicas ? `Redis ${us(redisUsPerEvent(cpu))} (masters ${us(cpu.usPerEvent.redisMasters)}, replicas ${us(cpu.usPerEvent.redisReplicas)})` : `Redis ${us(redisUsPerEvent(cpu))}`;
  const beyond = cpu.usPerEventBeyondRest;
  return (
    `CPU per event over the throughput window: pipeline ${us(cpu.usPerEvent.pipeline)}, ${redis}, Kafka ${us(cpu.usPerEvent.kafka)}; ` +
    `beyond their CPU at rest: Redis ${us(sumOf(beyond.redisMasters, beyond.redisReplicas))}, Kafka ${us(beyond.kafka)}; ${sharesText(cpu)}`
  );
}

/** The commands that cost Redis most per event, with their calls per event. */
function commandsText(commands: readonly { command: string; callsPerEvent: number; usPerEvent: number }[]): string {
  const shown = commands.slice(0, 8).map((c) => `${c.command} ${round(c.callsPerEvent, 2)} × ${round(c.usPerEvent, 2)} µs`);
  const calls = commands.reduce((sum, c) => sum + c.callsPerEvent, 0);
  return `${shown.join(', ')}; ${round(calls, 2)} calls per event in all`;
}

/** Each stage's batches: how many, their mean time, their mean records. */
function batchesText(batches: ReadonlyMap<string, StageBatches>): string {
  return [...batches]
    .map(([stage, b]) => `${stage} ${b.batches.toLocaleString('en')} (mean ${b.batches === 0 ? '?' : round((b.seconds / b.batches) * 1000, 1)} ms, ${b.batches === 0 ? '?' : Math.round(b.records / b.batches)} records)`)
    .join(', ');
}

/** Where the machine's cores went. */
function sharesText(cpu: CpuWindow): string {
  const pct = (v: number | null) => (v === null ? '?' : `${Math.round(v * 100)} %`);
  const s = cpu.share;
  return `the cores: pipeline ${pct(s.pipeline)}, Redis ${pct((s.redisMasters ?? 0) + (s.redisReplicas ?? 0) + (s.redisForks ?? 0))}, Kafka ${pct(s.kafka)}, bench ${pct(s.bench)}, others ${pct(s.other)}, stolen by the host ${pct(s.stolen)}, idle ${pct(s.idle)}`;
}

/** `BENCH_PIPELINE_CPU_PROF=<folder>`: the phase's pipeline writes a V8 CPU profile there when it stops (pipeline-<phase>.cpuprofile). */
function profiling(phase: string): NodeJS.ProcessEnv {
  const folder = process.env.BENCH_PIPELINE_CPU_PROF;
  if (!folder) return {};
  const preload = new URL('./cpu-profile-preload.js', import.meta.url).href;
  return {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${preload}`.trim(),
    SESSIONFLOW_CPU_PROFILE: path.join(path.resolve(folder), `pipeline-${phase}.cpuprofile`),
  };
}

/** The machine's cores, as the kernel schedules them. */
function cpuCount(): number {
  return os.availableParallelism?.() ?? os.cpus().length;
}

async function postCatalog(stack: Stack): Promise<void> {
  const products = PRODUCTS.map((p) => ({ id: p.id, name: `Product ${p.id}`, category: p.category, price: '€10.00', href: `/p/${p.id}`, inStock: true }));
  const res = await fetch(`${stack.collectorUrl}/v1/catalog`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.secrets.catalog}` },
    body: JSON.stringify({ products }),
  });
  if (!res.ok) throw new Error(`the collector refused the catalog: ${res.status} ${await res.text()}`);
}

async function topicSetup(admin: Admin, topic: string): Promise<TopicSetup> {
  const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
  if (!metadata || metadata.partitions.length === 0) throw new Error(`topic ${topic} has no partitions`);
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas'] }] });
  const minIsr = described.resources[0]?.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue;
  if (minIsr === undefined) throw new Error(`topic ${topic}: Kafka did not say its min.insync.replicas`);
  return { partitions: metadata.partitions.length, replicationFactor: metadata.partitions[0]!.replicas.length, minInsyncReplicas: Number(minIsr) };
}

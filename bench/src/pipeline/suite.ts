/**
 * The `pipeline` suite: how fast the stateful pipeline turns Kafka records
 * into Redis state, on one broker and one redis-server and then on the local
 * Kafka cluster and Redis Cluster, and how long a click on one device takes
 * to show in the read API for the same person's other device.
 *
 * 1. Single node (phase.ts): N storefront events are written to
 *    `<prefix>.events` first; then one pipeline process (all stages: identity,
 *    sessions, aggregates) is started and timed from its first applied record
 *    until every stage has applied everything; then Kafka → Redis latency
 *    under a steady background load; then the cross-device loop
 *    (cross-device.ts) through the edge.
 * 2. Cluster: that stack stopped, the same events (the same records, not a
 *    new draw), the same partitions and the same pipeline, on a 3-node KRaft
 *    cluster (replication factor 3, min.insync.replicas 2) and a Redis
 *    Cluster of 3 masters with a replica each; throughput and latency again.
 *    The ratio of the two throughputs is measured in one run, on one machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { existingServersFromEnv, startStack, type Stack, type StackOptions } from '@sessionflow/infra';
import { type SuiteResult } from '../results.js';
import { percentile, round } from '../stats.js';
import { CPU_PARTS, redisUsPerEvent, type CpuWindow } from './cpu-ledger.js';
import { crossDevice } from './cross-device.js';
import { runPhase, type PhaseOptions, type PhaseResult } from './phase.js';
import { workload } from './workload.js';

export interface PipelineSuiteOptions {
  events: number;
  backgroundPerS: number;
  latencySeconds: number;
  probeEveryMs: number;
  crossDeviceRounds: number;
  /** Seconds each phase reads its servers' CPU with no traffic. */
  restSeconds: number;
  /**
   * BENCH_PIPELINE_QUICK=1: the single-node phase only, without the edge and the cross-device loop: the
   * pipeline's own figures (events/s, CPU per event of the pipeline and of Redis, Kafka → Redis) in about a
   * minute and a half, for A/B runs. The cluster and loop figures are left out of its result.
   */
  quick: boolean;
  /** BENCH_PIPELINE_ENTRY: another build's `collector/dist/pipeline/main.js` to measure instead of this tree's (A/B runs). */
  pipelineEntry?: string | undefined;
}

export const defaultPipelineOptions: PipelineSuiteOptions = {
  events: Number(process.env.BENCH_PIPELINE_EVENTS ?? 200_000),
  backgroundPerS: Number(process.env.BENCH_PIPELINE_BACKGROUND ?? 2_000),
  latencySeconds: Number(process.env.BENCH_PIPELINE_LATENCY_SECONDS ?? 15),
  probeEveryMs: 50,
  crossDeviceRounds: 40,
  restSeconds: 5,
  quick: process.env.BENCH_PIPELINE_QUICK === '1',
  pipelineEntry: process.env.BENCH_PIPELINE_ENTRY || undefined,
};

const PREFIX = 'bench';

export async function pipelineSuite(o: PipelineSuiteOptions = defaultPipelineOptions): Promise<SuiteResult> {
  // Drawn once: both phases process the very same records.
  const records = workload(o.events);
  const phase = (name: string, dir: string): PhaseOptions => ({
    name,
    dir,
    prefix: PREFIX,
    records,
    restSeconds: o.restSeconds,
    backgroundPerS: o.backgroundPerS,
    latencySeconds: o.latencySeconds,
    probeEveryMs: o.probeEveryMs,
    pipelineEntry: o.pipelineEntry,
  });

  if (o.quick) {
    console.log('  quick (BENCH_PIPELINE_QUICK=1): single node only, no edge: Kafka (one broker), Redis (one redis-server), collector…');
    const single = await withStack('single', { parts: ['kafka', 'redis', 'collector'], ...existingServersFromEnv() }, (stack, dir) => runPhase(stack, phase('single', dir)));
    return { suite: 'pipeline', figures: singleFigures(single), context: { node: process.version, cpus: os.cpus().length, quick: true, pipelineEntry: o.pipelineEntry ?? 'this tree', single: phaseContext(single, o.events) } };
  }

  console.log('  single node: Kafka (one broker), Redis (one redis-server), collector, edge…');
  const single = await withStack('single', { parts: ['kafka', 'redis', 'collector', 'edge'], ...existingServersFromEnv() }, (stack, dir) =>
    runPhase(stack, phase('single', dir), async () => {
      const loop = await crossDevice(stack, o.crossDeviceRounds);
      console.log(`  cross-device: ${loop.length} clicks on device A, p50 ${round(percentile(loop, 50))} ms, p99 ${round(percentile(loop, 99))} ms until the user's profile shows them`);
      return loop;
    }),
  );

  console.log('  cluster: Kafka (3 KRaft nodes, 256m heap each), Redis Cluster (3 masters, a replica each), collector…');
  const cluster = await withStack('cluster', { parts: ['kafka', 'redis', 'collector'], cluster: true, kafkaHeap: '256m' }, (stack, dir) => runPhase(stack, phase('cluster', dir)));
  if (cluster.topics.partitions !== single.topics.partitions) {
    throw new Error(`the phases' ${PREFIX}.events topics differ in partitions (single ${single.topics.partitions}, cluster ${cluster.topics.partitions}): the ratio would compare different work`);
  }

  const ratio = cluster.throughput.eventsPerS / single.throughput.eventsPerS;
  console.log(`  cluster vs single: ${round(ratio, 2)} (${Math.round(cluster.throughput.eventsPerS).toLocaleString('en')} vs ${Math.round(single.throughput.eventsPerS).toLocaleString('en')} events/s)`);
  const loop = single.also;
  return {
    suite: 'pipeline',
    figures: {
      ...singleFigures(single),
      'loop.cross_device_p99_ms': { value: round(percentile(loop, 99)), unit: 'ms' },
      'pipeline.cluster_events_per_s': { value: Math.round(cluster.throughput.eventsPerS), unit: 'events/s' },
      'pipeline.cluster_vs_single_ratio': { value: round(ratio, 3), unit: 'ratio' },
      'pipeline.cluster_cpu_us_per_event': { value: round(pipelineUs(cluster.cpu), 1), unit: 'µs' },
      'redis.cluster_cpu_us_per_event': { value: round(redisUs(cluster.cpu), 1), unit: 'µs' },
      'pipeline.cluster_kafka_to_redis_p50_ms': { value: round(percentile(cluster.latencyMs, 50)), unit: 'ms' },
      'pipeline.cluster_kafka_to_redis_p99_ms': { value: round(percentile(cluster.latencyMs, 99)), unit: 'ms' },
    },
    context: {
      node: process.version,
      cpus: os.cpus().length,
      single: {
        kafka: process.env.KAFKA_BROKERS ? 'external (KAFKA_BROKERS)' : 'local single-node KRaft, 512m heap',
        redis: process.env.REDIS_URL ? 'external (REDIS_URL)' : 'one redis-server, no persistence',
        ...phaseContext(single, o.events),
      },
      cluster: {
        kafka: 'local 3-node KRaft cluster (each broker and controller), 256m heap each',
        redis: 'local Redis Cluster: 3 masters, one replica each, appendonly yes, appendfsync everysec',
        ...phaseContext(cluster, o.events),
      },
      crossDevice: {
        rounds: loop.length,
        p50Ms: round(percentile(loop, 50)),
        note: 'POST /v1/collect on the edge (wrangler dev) for device A until GET /v1/profile/user/<user> on the collector answers with the clicked product first; the edge object of device B reads that profile in the background (every second at most), which comes on top',
      },
      notes: {
        throughput: 'one pipeline process, all stages; from its first applied record until every stage reached the end of its input topics',
        cpu: 'CPU per event over the throughput window: the pipeline process and the Kafka JVMs from /proc, every redis-server from INFO cpu (used_cpu_user + used_cpu_sys; redisForks = the *_children fields, AOF rewrites), the bench process itself, the machine from /proc/stat (busy, and stolen: time its virtual cores waited for the host); share = CPU seconds / (cores × window), "other" = the machine minus all of these (the idle collector and edge, other users of the machine)',
        pipelineFigures: 'pipeline.cpu_us_per_event and pipeline.cluster_cpu_us_per_event: the pipeline process (utime + stime from /proc, every stage and thread of it) over the throughput window, per event of <prefix>.events',
        redisFigures: 'redis.cpu_us_per_event and redis.cluster_cpu_us_per_event: used_cpu_user + used_cpu_sys summed over every redis-server of the phase (the cluster: masters and replicas), per event',
        kafkaToRedis: 'from the producer call (acks=all) until the probe event is counted in Redis by the aggregates stage (after identity re-keying); Redis polled every millisecond',
      },
    },
  };
}

/**
 * A stack of this phase's own, in a folder of its own, stopped whatever happens; the folder is removed unless
 * the phase failed (its logs are there). A stack that fails to start is started again once, saying why: on a
 * fresh Kafka cluster the collector's start can meet a broker that does not know a topic created a moment
 * before (DescribeConfigs answering "This server does not host this topic-partition"), and exits.
 */
async function withStack<T>(name: string, options: Omit<StackOptions, 'dir'>, run: (stack: Stack, dir: string) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), `sessionflow-bench-pipeline-${name}-`));
    let stack: Stack;
    try {
      stack = await startStack({ dir, topicPrefix: PREFIX, log: (line) => console.log(`  stack: ${line}`), ...options });
    } catch (error) {
      console.error(`  ${name}: the stack did not start (${error instanceof Error ? error.message : String(error)}); its logs are kept in ${path.join(dir, 'logs')}`);
      if (attempt >= 2) throw error;
      console.error(`  ${name}: starting it again, once`);
      continue;
    }
    let failed = true;
    try {
      const result = await run(stack, dir);
      failed = false;
      return result;
    } finally {
      await stack.stop();
      if (failed) console.error(`  ${name}: failed; its logs are kept in ${path.join(dir, 'logs')}`);
      else rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** The single-node phase's figures: what BENCH_PIPELINE_QUICK runs too. */
function singleFigures(single: PhaseResult<unknown>): SuiteResult['figures'] {
  return {
    'pipeline.events_per_s': { value: Math.round(single.throughput.eventsPerS), unit: 'events/s' },
    'pipeline.cpu_us_per_event': { value: round(pipelineUs(single.cpu), 1), unit: 'µs' },
    'redis.cpu_us_per_event': { value: round(redisUs(single.cpu), 1), unit: 'µs' },
    'pipeline.kafka_to_redis_p50_ms': { value: round(percentile(single.latencyMs, 50)), unit: 'ms' },
    'pipeline.kafka_to_redis_p99_ms': { value: round(percentile(single.latencyMs, 99)), unit: 'ms' },
  };
}

function pipelineUs(cpu: CpuWindow): number {
  const us = cpu.usPerEvent.pipeline;
  if (us === null) throw new Error("the pipeline process's CPU was not measured (/proc/<pid>/stat)");
  return us;
}

function redisUs(cpu: CpuWindow): number {
  const us = redisUsPerEvent(cpu);
  if (us === null) throw new Error('Redis CPU was not measured (INFO cpu)');
  return us;
}

const roundOrNull = (v: number | null, digits: number) => (v === null ? null : round(v, digits));

function phaseContext(phase: PhaseResult<unknown>, events: number) {
  return {
    topics: phase.topics,
    redisNodes: phase.redisNodes,
    kafkaProcessesMeasured: phase.kafkaProcesses,
    throughput: {
      events,
      reKeyedRecords: phase.throughput.byUser,
      seconds: round(phase.throughput.seconds, 3),
      eventsPerS: Math.round(phase.throughput.eventsPerS),
    },
    redisCommandsPerEvent: phase.commands.map((c) => ({ command: c.command, calls: round(c.callsPerEvent, 3), us: round(c.usPerEvent, 2) })),
    batches: Object.fromEntries(Object.entries(phase.batches).map(([stage, b]) => [stage, { ...b, seconds: round(b.seconds, 3) }])),
    cpuUsPerEvent: Object.fromEntries([...CPU_PARTS, 'machine', 'other'].map((p) => [p, roundOrNull(phase.cpu.usPerEvent[p as keyof CpuWindow['usPerEvent']], 1)])),
    cpuUsPerEventBeyondRest: Object.fromEntries(CPU_PARTS.map((p) => [p, roundOrNull(phase.cpu.usPerEventBeyondRest[p], 1)])),
    coresAtRest: Object.fromEntries(CPU_PARTS.map((p) => [p, roundOrNull(phase.atRest[p], 3)])),
    cpuShare: Object.fromEntries([...CPU_PARTS, 'other', 'stolen', 'idle'].map((p) => [p, roundOrNull(phase.cpu.share[p as keyof CpuWindow['share']], 3)])),
    kafkaToRedis: {
      probes: phase.latencyMs.length,
      p50Ms: round(percentile(phase.latencyMs, 50)),
      p90Ms: round(percentile(phase.latencyMs, 90)),
      p99Ms: round(percentile(phase.latencyMs, 99)),
      maxMs: round(Math.max(...phase.latencyMs)),
      cpuShare: Object.fromEntries([...CPU_PARTS, 'other', 'stolen', 'idle'].map((p) => [p, roundOrNull(phase.latencyCpu.share[p as keyof CpuWindow['share']], 3)])),
    },
  };
}

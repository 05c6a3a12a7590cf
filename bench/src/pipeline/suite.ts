/**
 * The `pipeline` suite: how fast the stateful pipeline turns Kafka records
 * into Redis state, and how long a click on one device takes to show in the
 * read API for the same person's other device.
 *
 * 1. Throughput: N storefront events are written to `<prefix>.events` first;
 *    then one pipeline process (all stages: identity, sessions, aggregates)
 *    is started and timed from its first applied record until every stage
 *    has applied everything (offsets in Redis reach the topics' ends).
 * 2. Kafka → Redis: with the pipeline running under a steady background
 *    load, probe events are produced one by one, and each is timed from the
 *    producer call until its effect is in Redis (the aggregates stage's
 *    counted-event key, written in the same transaction as the state).
 * 3. Cross-device loop: a user signed in on two devices; device A's product
 *    click is posted to the edge (workerd), and timed until the collector's
 *    read API answers the user's profile — what device B's edge reads — with
 *    that product as the most recent view.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { createClient } from 'redis';
import { sign } from 'hono/jwt';
import { SCHEMA_VERSION, topicNames } from '@sessionflow/core';
import { stateLayout, type StageName } from '@sessionflow/collector';
import { deviceRef } from '@sessionflow/core';
import { existingServersFromEnv, freePort, startPipelineProcess, startStack, type HttpService, type Stack } from '@sessionflow/infra';
import { progress } from '../progress.js';
import { type SuiteResult } from '../results.js';
import { percentile, round } from '../stats.js';
import { processCpuSeconds, redisCpuSeconds } from './cpu.js';
import { stageProgress, topicEnd, topicPartitions, type StageInputs } from './progress-offsets.js';
import { CATEGORIES, PRODUCTS, probeRecord, workload } from './workload.js';

export interface PipelineSuiteOptions {
  events: number;
  backgroundPerS: number;
  latencySeconds: number;
  probeEveryMs: number;
  crossDeviceRounds: number;
}

export const defaultPipelineOptions: PipelineSuiteOptions = {
  events: Number(process.env.BENCH_PIPELINE_EVENTS ?? 200_000),
  backgroundPerS: Number(process.env.BENCH_PIPELINE_BACKGROUND ?? 2_000),
  latencySeconds: 15,
  probeEveryMs: 50,
  crossDeviceRounds: 40,
};

const PREFIX = 'bench';
const STAGES: readonly StageName[] = ['identity', 'sessions', 'aggregates'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function pipelineSuite(o: PipelineSuiteOptions = defaultPipelineOptions): Promise<SuiteResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sessionflow-bench-pipeline-'));
  let stack: Stack | undefined;
  let pipeline: HttpService | undefined;
  const redis = { client: undefined as ReturnType<typeof createClient> | undefined };
  let producer: Producer | undefined;
  const kafkaAdmin = { admin: undefined as ReturnType<Kafka['admin']> | undefined };
  try {
    console.log('  stack: Kafka, Redis, collector, edge…');
    stack = await startStack({ dir, parts: ['kafka', 'redis', 'collector', 'edge'], topicPrefix: PREFIX, ...existingServersFromEnv(), log: (line) => console.log(`  stack: ${line}`) });
    const topics = topicNames(PREFIX);
    const kafka = new Kafka({ clientId: 'sessionflow-bench-pipeline', brokers: stack.kafkaBrokers, logLevel: logLevel.WARN });
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    kafkaAdmin.admin = kafka.admin();
    await kafkaAdmin.admin.connect();
    redis.client = createClient({ url: stack.redisUrl });
    await redis.client.connect();

    await postCatalog(stack);
    console.log(`  catalog: ${PRODUCTS.length} products in ${CATEGORIES.length} categories sent to the collector`);

    const records = workload(o.events);
    const bar = progress();
    for (let i = 0; i < records.length; i += 2_000) {
      await producer.send({ topic: topics.events, acks: -1, messages: records.slice(i, i + 2_000) });
      bar.update(`  preload: ${Math.min(i + 2_000, records.length).toLocaleString('en')}/${records.length.toLocaleString('en')} events in ${topics.events}`);
    }
    bar.done();

    console.log('  pipeline: starting one process (identity, sessions and aggregates stages)…');
    pipeline = await startPipelineProcess({ port: await freePort(), brokers: stack.kafkaBrokers, redisUrl: stack.redisUrl!, erasureSecret: stack.secrets.erasure, topicPrefix: PREFIX, logFile: path.join(dir, 'logs', 'pipeline.log') });
    const throughput = await timeCatchUp(redis.client, kafkaAdmin.admin, topics, o.events, pipeline.child.pid);
    console.log(`  throughput: ${o.events.toLocaleString('en')} events through every stage in ${round(throughput.seconds, 2)} s: ${Math.round(throughput.eventsPerS).toLocaleString('en')} events/s (${throughput.byUser.toLocaleString('en')} re-keyed records); CPU per event: pipeline ${cpuText(throughput.cpuUsPerEvent.pipeline)}, Redis ${cpuText(throughput.cpuUsPerEvent.redis)}`);

    const latency = await kafkaToRedis(producer, redis.client, kafkaAdmin.admin, topics.events, o);
    console.log(`  kafka → redis: ${latency.length} probes under ${o.backgroundPerS.toLocaleString('en')} events/s, p50 ${round(percentile(latency, 50))} ms, p99 ${round(percentile(latency, 99))} ms`);

    const loop = await crossDevice(stack, o.crossDeviceRounds);
    console.log(`  cross-device: ${loop.length} clicks on device A, p50 ${round(percentile(loop, 50))} ms, p99 ${round(percentile(loop, 99))} ms until the user's profile shows them`);

    return {
      suite: 'pipeline',
      figures: {
        'pipeline.events_per_s': { value: Math.round(throughput.eventsPerS), unit: 'events/s' },
        'pipeline.kafka_to_redis_p50_ms': { value: round(percentile(latency, 50)), unit: 'ms' },
        'pipeline.kafka_to_redis_p99_ms': { value: round(percentile(latency, 99)), unit: 'ms' },
        'loop.cross_device_p99_ms': { value: round(percentile(loop, 99)), unit: 'ms' },
      },
      context: {
        node: process.version,
        cpus: os.cpus().length,
        kafka: process.env.KAFKA_BROKERS ? 'external (KAFKA_BROKERS)' : 'local single-node KRaft, 512m heap, 3 partitions per topic',
        throughput: {
          events: o.events,
          reKeyedRecords: throughput.byUser,
          seconds: round(throughput.seconds, 3),
          cpuUsPerEvent: { pipeline: roundOrNull(throughput.cpuUsPerEvent.pipeline), redis: roundOrNull(throughput.cpuUsPerEvent.redis) },
          note: 'one pipeline process, all stages; from its first applied record until every stage reached the end of its input topics; CPU per event = CPU time of the pipeline process (/proc) and of redis-server (INFO cpu) over that window / events',
        },
        kafkaToRedis: {
          probes: latency.length,
          backgroundEventsPerS: o.backgroundPerS,
          p90Ms: round(percentile(latency, 90)),
          maxMs: round(Math.max(...latency)),
          note: 'from the producer call (acks=all) until the probe event is counted in Redis by the aggregates stage (after identity re-keying); Redis polled every millisecond',
        },
        crossDevice: {
          rounds: loop.length,
          p50Ms: round(percentile(loop, 50)),
          note: 'POST /v1/collect on the edge (wrangler dev) for device A until GET /v1/profile/user/<user> on the collector answers with the clicked product first; the edge object of device B reads that profile in the background (every second at most), which comes on top',
        },
      },
    };
  } finally {
    await pipeline?.stop().catch((err: unknown) => console.error(`  pipeline: stop failed: ${String(err)}`));
    await producer?.disconnect().catch(() => undefined);
    await kafkaAdmin.admin?.disconnect().catch(() => undefined);
    await redis.client?.quit().catch(() => undefined);
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const cpuText = (us: number | undefined) => (us === undefined ? 'not measured here' : `${round(us, 1)} µs`);
const roundOrNull = (us: number | undefined) => (us === undefined ? null : round(us, 1));

async function postCatalog(stack: Stack): Promise<void> {
  const products = PRODUCTS.map((p) => ({ id: p.id, name: `Product ${p.id}`, category: p.category, price: '€10.00', href: `/p/${p.id}`, inStock: true }));
  const res = await fetch(`${stack.collectorUrl}/v1/catalog`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.secrets.catalog}` },
    body: JSON.stringify({ products }),
  });
  if (!res.ok) throw new Error(`the collector refused the catalog: ${res.status} ${await res.text()}`);
}

/** CPU seconds of the pipeline process and of Redis at one moment. */
async function cpuNow(redis: ReturnType<typeof createClient>, pipelinePid: number) {
  return { pipeline: processCpuSeconds(pipelinePid), redis: await redisCpuSeconds(redis) };
}

async function timeCatchUp(redis: ReturnType<typeof createClient>, admin: ReturnType<Kafka['admin']>, topics: ReturnType<typeof topicNames>, events: number, pipelinePid: number) {
  const bar = progress();
  const eventsEnd = await topicEnd(admin, topics.events);
  const eventPartitions = await topicPartitions(admin, topics.events);
  const inputs: StageInputs = new Map([
    ['identity', new Map([[topics.events, eventPartitions]])],
    ['sessions', new Map([[topics.events, eventPartitions]])],
    ['aggregates', new Map([[topics.eventsByUser, await topicPartitions(admin, topics.eventsByUser)]])],
  ]);
  let first: number | undefined;
  let cpuAtFirst: Awaited<ReturnType<typeof cpuNow>> | undefined;
  for (;;) {
    const now = performance.now();
    const cpu = await cpuNow(redis, pipelinePid);
    const stages = await stageProgress(redis, PREFIX, inputs);
    const applied = (stage: StageName, topic: string) => stages.get(stage)?.get(topic) ?? 0n;
    if (first === undefined && [...stages.values()].some((t) => (t.get(topics.events) ?? 0n) > 0n || (t.get(topics.eventsByUser) ?? 0n) > 0n)) {
      first = now;
      cpuAtFirst = cpu;
    }
    const identityDone = applied('identity', topics.events) >= eventsEnd;
    const sessionsDone = applied('sessions', topics.events) >= eventsEnd;
    const byUserEnd = identityDone ? await topicEnd(admin, topics.eventsByUser) : undefined;
    const aggregatesDone = byUserEnd !== undefined && applied('aggregates', topics.eventsByUser) >= byUserEnd;
    bar.update(
      `  throughput: ${STAGES.map((s) => `${s} ${(applied(s, s === 'aggregates' ? topics.eventsByUser : topics.events)).toLocaleString('en')}`).join(', ')} of ${events.toLocaleString('en')}`,
    );
    if (identityDone && sessionsDone && aggregatesDone && first !== undefined) {
      bar.done();
      const seconds = (now - first) / 1000;
      const perEvent = (before: number | undefined, after: number | undefined) => (before === undefined || after === undefined ? undefined : ((after - before) / events) * 1e6);
      return {
        seconds,
        eventsPerS: events / seconds,
        byUser: Number(byUserEnd),
        cpuUsPerEvent: { pipeline: perEvent(cpuAtFirst?.pipeline, cpu.pipeline), redis: perEvent(cpuAtFirst?.redis, cpu.redis) },
      };
    }
    await sleep(100);
  }
}

async function kafkaToRedis(producer: Producer, redis: ReturnType<typeof createClient>, admin: ReturnType<Kafka['admin']>, topic: string, o: PipelineSuiteOptions): Promise<number[]> {
  const partitions = (await topicPartitions(admin, topic)).length;
  // The probe is anonymous: its seen key is in the by-user partition that owns its device's ref.
  const layout = stateLayout(PREFIX, { events: partitions, eventsByUser: partitions, products: partitions, inventory: partitions });
  const seenKey = (anonymousId: string, eventId: string) => layout.profile(deviceRef(anonymousId)).seenEvent(eventId);
  const background = workload(o.backgroundPerS * (o.latencySeconds + 2), 11);
  let sent = 0;
  const started = performance.now();
  const stopAt = started + o.latencySeconds * 1000;
  // The background load, in slices every 100 ms.
  const load = (async () => {
    while (performance.now() < stopAt) {
      const due = Math.min(background.length, Math.floor(((performance.now() - started) / 1000) * o.backgroundPerS));
      if (due > sent) {
        await producer.send({ topic, acks: -1, messages: background.slice(sent, due) });
        sent = due;
      }
      await sleep(100);
    }
  })();
  const probes: Promise<number | undefined>[] = [];
  const bar = progress();
  while (performance.now() < stopAt) {
    probes.push(probeOnce(producer, redis, topic, seenKey));
    bar.update(`  kafka → redis: ${probes.length} probes, ${sent.toLocaleString('en')} background events`);
    await sleep(o.probeEveryMs);
  }
  bar.done();
  await load;
  const results = await Promise.all(probes);
  const lost = results.filter((r) => r === undefined).length;
  if (lost > 0) throw new Error(`${lost} probe events never showed in Redis within 30 s`);
  return results as number[];
}

async function probeOnce(producer: Producer, redis: ReturnType<typeof createClient>, topic: string, seenKey: (anonymousId: string, eventId: string) => string): Promise<number | undefined> {
  const probe = probeRecord();
  const start = performance.now();
  await producer.send({ topic, acks: -1, messages: [{ key: probe.key, value: probe.value }] });
  const key = seenKey(probe.key, probe.eventId);
  while (performance.now() - start < 30_000) {
    if ((await redis.exists(key)) === 1) return performance.now() - start;
    await sleep(1);
  }
  return undefined;
}

async function crossDevice(stack: Stack, rounds: number): Promise<number[]> {
  const userId = `bench-user-${Date.now().toString(36)}`;
  const deviceA = { anonymousId: `anon-a-${Date.now().toString(36)}`, sessionId: `sess-a-${Date.now().toString(36)}` };
  const deviceB = { anonymousId: `anon-b-${Date.now().toString(36)}`, sessionId: `sess-b-${Date.now().toString(36)}` };
  const collect = async (device: typeof deviceA, events: Record<string, unknown>[]) => {
    const res = await fetch(`${stack.edgeUrl}/v1/collect?site=${stack.siteKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: stack.siteOrigin! },
      body: JSON.stringify({
        events: events.map((e) => ({
          schemaVersion: SCHEMA_VERSION,
          eventId: crypto.randomUUID(),
          anonymousId: device.anonymousId,
          sessionId: device.sessionId,
          timestamp: Date.now(),
          page: { url: 'https://shop.example.com/', pageViewId: `pv-${device.sessionId}` },
          ...e,
        })),
      }),
    });
    if (res.status !== 200) throw new Error(`edge answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  };
  const profileHead = async (): Promise<string | undefined> => {
    const res = await fetch(`${stack.collectorUrl}/v1/profile/user/${encodeURIComponent(userId)}`, { headers: { authorization: `Bearer ${stack.readSecret}` } });
    if (res.status !== 200) {
      await res.arrayBuffer();
      return undefined;
    }
    return ((await res.json()) as { recentlyViewed?: string[] }).recentlyViewed?.[0];
  };
  // Signed in as the site's server would sign it in: without the token the edge links nothing.
  const now = Math.floor(Date.now() / 1000);
  const token = await sign({ sub: userId, aud: stack.siteKey, iat: now, exp: now + 600 }, stack.secrets.siteIdentity, 'HS256');
  for (const device of [deviceA, deviceB]) await collect(device, [{ type: 'page_view' }, { type: 'identify', userId, token }]);
  const latencies: number[] = [];
  const bar = progress();
  for (let i = 0; i < rounds; i++) {
    const product = PRODUCTS[i % PRODUCTS.length]!;
    const start = performance.now();
    await collect(deviceA, [{ type: 'click', userId, element: { tag: 'button', text: 'View' }, product: { id: product.id, category: product.category } }]);
    while ((await profileHead()) !== product.id) {
      if (performance.now() - start > 30_000) throw new Error(`device A's click on ${product.id} did not reach the user's profile within 30 s`);
      await sleep(2);
    }
    latencies.push(performance.now() - start);
    bar.update(`  cross-device: ${i + 1}/${rounds}, last ${round(latencies.at(-1)!)} ms`);
  }
  bar.done();
  return latencies;
}

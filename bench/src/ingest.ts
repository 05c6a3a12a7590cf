/**
 * The `ingest` suite: how fast the collector moves realistic events into
 * Kafka, next to Kafka's own producer performance tool on the same broker in
 * the same run, and how long the edge takes to answer a collect batch in
 * workerd.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { encodeEventRecord, SIGNATURE_HEADER, signRelay } from '@sessionflow/core';
import { nodeHmacCrypto } from '@sessionflow/collector';
import { ensureKafkaJars, existingServersFromEnv, kafkaVersion, startStack, type Stack } from '@sessionflow/infra';
import { loadBatch, newLoadVisitor } from './events.js';
import { keepAliveAgent, post } from './http.js';
import { progress } from './progress.js';
import { type SuiteResult } from './results.js';
import { percentile, round } from './stats.js';

const run = promisify(execFile);

export interface IngestOptions {
  /** Measured seconds of collector load (after a warm-up). */
  seconds: number;
  warmupSeconds: number;
  concurrency: number;
  batchSize: number;
  /** Distinct batches the load generator cycles through. */
  poolBatches: number;
  producerPerfRecords: number;
  edgeRequests: number;
  edgeBatchSize: number;
}

export const defaultIngestOptions: IngestOptions = {
  seconds: Number(process.env.BENCH_SECONDS ?? 20),
  warmupSeconds: 3,
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 16),
  batchSize: 50,
  poolBatches: Number(process.env.BENCH_POOL_BATCHES ?? 2000),
  producerPerfRecords: Number(process.env.BENCH_PERF_RECORDS ?? 2_000_000),
  edgeRequests: Number(process.env.BENCH_EDGE_REQUESTS ?? 1000),
  edgeBatchSize: 10,
};

// The collector's own Node HMAC adapter: WebCrypto in Node would make the load
// generator, not the collector, the bottleneck on two cores.
const hmac = nodeHmacCrypto();

/** Average size of the record value the collector writes for the load's events. */
function averageRecordBytes(): number {
  const visitor = newLoadVisitor();
  const meta = { siteKey: 'bench', receivedAt: Date.now(), ingestedAt: Date.now() };
  const sizes = loadBatch(visitor, 500).map((e) => Buffer.byteLength(encodeEventRecord(e, meta).value));
  return Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length);
}

export async function collectorLoad(stack: Stack, o: IngestOptions): Promise<{ eventsPerS: number; requests: number; errors: number }> {
  const url = new URL('/v1/ingest', stack.collectorUrl);
  const agent = keepAliveAgent(o.concurrency);
  const secret = new TextEncoder().encode(stack.secret);
  // Batches are built before the clock starts, each from its own visitor (one
  // device's batch, as the edge relays them), and sent round-robin: on two
  // cores, building events during the run would take CPU from the collector
  // being measured. (ProducerPerformance likewise reuses one payload.)
  console.log(`  collector load: building ${o.poolBatches.toLocaleString('en')} batches (${(o.poolBatches * o.batchSize).toLocaleString('en')} distinct events)…`);
  const pool = Array.from({ length: o.poolBatches }, () =>
    Buffer.from(JSON.stringify({ relayVersion: 1, siteKey: stack.siteKey, receivedAt: Date.now(), events: loadBatch(newLoadVisitor(), o.batchSize) })),
  );
  const start = performance.now();
  const measureFrom = start + o.warmupSeconds * 1000;
  const end = measureFrom + o.seconds * 1000;
  let measuredEvents = 0;
  let requests = 0;
  let errors = 0;
  const bar = progress();

  const worker = async (w: number): Promise<void> => {
    for (let i = w; performance.now() < end; i += o.concurrency) {
      const bytes = pool[i % pool.length]!;
      // Signed at send time, as the edge does; the signature's timestamp must be fresh.
      const signature = await signRelay(hmac, secret, bytes, Date.now());
      const res = await post(url, bytes, { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature }, agent);
      const done = performance.now();
      requests++;
      if (res.status !== 202) {
        errors++;
        continue;
      }
      const { accepted } = JSON.parse(res.body) as { accepted: number };
      if (done >= measureFrom && done <= end) measuredEvents += accepted;
    }
  };

  const ticker = setInterval(() => {
    const now = performance.now();
    const phase = now < measureFrom ? 'warm-up' : `${Math.min(o.seconds, Math.round((now - measureFrom) / 1000))}/${o.seconds} s`;
    const rate = now > measureFrom ? Math.round(measuredEvents / ((now - measureFrom) / 1000)) : 0;
    bar.update(`  collector load: ${phase}, ${rate.toLocaleString('en')} events/s, ${requests} requests, ${errors} errors`);
  }, 500);
  await Promise.all(Array.from({ length: o.concurrency }, (_, w) => worker(w)));
  clearInterval(ticker);
  bar.done();
  agent.destroy();
  return { eventsPerS: measuredEvents / o.seconds, requests, errors };
}

async function producerPerf(stack: Stack, recordSize: number, o: IngestOptions, dir: string): Promise<number> {
  const topic = `${stack.topicPrefix}.perf`;
  const kafka = new Kafka({ clientId: 'sessionflow-bench', brokers: stack.kafkaBrokers, logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  // Same partitions as the events topic, so both producers spread the same way.
  const [events] = (await admin.fetchTopicMetadata({ topics: [`${stack.topicPrefix}.events`] })).topics;
  await admin.createTopics({ topics: [{ topic, numPartitions: events?.partitions.length ?? 3, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();

  const libs = await ensureKafkaJars();
  const log4j = path.join(dir, 'tools-log4j.properties');
  writeFileSync(log4j, 'log4j.rootLogger=WARN, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\nlog4j.appender.stderr.Target=System.err\nlog4j.appender.stderr.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stderr.layout.ConversionPattern=%p %m%n\n');
  console.log(`  kafka ProducerPerformance: ${o.producerPerfRecords.toLocaleString('en')} records of ${recordSize} bytes, acks=all, idempotent…`);
  const { stdout } = await run(
    'java',
    [
      '-Xmx512m',
      `-Dlog4j.configuration=file:${log4j}`,
      '-cp', path.join(libs, '*'),
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic', topic,
      '--num-records', String(o.producerPerfRecords),
      '--record-size', String(recordSize),
      '--throughput', '-1',
      '--producer-props', `bootstrap.servers=${stack.kafkaBrokers.join(',')}`, 'acks=all', 'enable.idempotence=true',
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  // The tool prints a running line every 5 s and a final summary; the summary is the last match.
  const summaries = [...stdout.matchAll(/(\d+) records sent, ([\d.]+) records\/sec/g)];
  const last = summaries.at(-1);
  if (!last?.[2]) throw new Error(`could not read ProducerPerformance's summary from:\n${stdout}`);
  console.log(`  ${stdout.trim().split('\n').at(-1)}`);
  return Number(last[2]);
}

/** Latency of `request()` sent one at a time: the p50 and p99 of `samples` requests after a warm-up. */
async function sequentialLatency(label: string, samples: number, request: () => Promise<Response>): Promise<{ p50: number; p99: number; samples: number }> {
  const times: number[] = [];
  const bar = progress();
  const warmup = 50;
  for (let i = 0; i < warmup + samples; i++) {
    const t0 = performance.now();
    const res = await request();
    await res.arrayBuffer();
    const ms = performance.now() - t0;
    if (!res.ok) throw new Error(`${label}: answered ${res.status} during the latency run`);
    if (i >= warmup) times.push(ms);
    if (i % 50 === 0 && times.length > 0) bar.update(`  ${label}: ${times.length}/${samples} requests, p50 so far ${round(percentile(times, 50))} ms`);
  }
  bar.done();
  return { p50: percentile(times, 50), p99: percentile(times, 99), samples: times.length };
}

/** `POST /v1/collect` with a batch of events, and the parts of its time measured apart. */
async function edgeLatency(stack: Stack, o: IngestOptions) {
  let visitor = newLoadVisitor();
  let sent = 0;
  const collectUrl = `${stack.edgeUrl}/v1/collect?site=${encodeURIComponent(stack.siteKey)}`;
  const collect = await sequentialLatency('edge collect latency', o.edgeRequests, () => {
    // A new visitor every 20 batches: one person sending 1,000 batches in a row is what the edge's rate limit refuses.
    if (sent++ % 20 === 0) visitor = newLoadVisitor();
    return fetch(collectUrl, {
      method: 'POST',
      // As the storefront's page posts: from the origin the edge allows, one client per visitor.
      headers: { 'content-type': 'application/json', origin: stack.siteOrigin!, 'cf-connecting-ip': visitor.clientIp },
      body: JSON.stringify({ events: loadBatch(visitor, o.edgeBatchSize), sentAt: Date.now() }),
    });
  });
  // What the local dev server costs before the Worker does anything.
  const floor = await sequentialLatency('edge /healthz latency', o.edgeRequests, () => fetch(`${stack.edgeUrl}/healthz`));
  // What the relay waits on: the collector's answer after Kafka's ack, for the same batch size.
  const secret = new TextEncoder().encode(stack.secret);
  const ingest = await sequentialLatency('collector ingest latency', o.edgeRequests, async () => {
    const body = Buffer.from(JSON.stringify({ relayVersion: 1, siteKey: stack.siteKey, receivedAt: Date.now(), events: loadBatch(visitor, o.edgeBatchSize) }));
    const signature = await signRelay(hmac, secret, body, Date.now());
    return fetch(`${stack.collectorUrl}/v1/ingest`, { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature }, body });
  });
  return { collect, floor, ingest };
}

export async function ingestSuite(o: IngestOptions = defaultIngestOptions): Promise<SuiteResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sessionflow-bench-'));
  const stack = await startStack({
    dir,
    parts: ['edge'],
    ...existingServersFromEnv(),
    topicPrefix: `bench${Date.now().toString(36)}`,
    log: (line) => console.log(`  [stack] ${line}`),
  });
  try {
    const recordSize = averageRecordBytes();
    console.log(`  collector load: ${o.concurrency} concurrent senders, batches of ${o.batchSize} events (~${recordSize} bytes each), ${o.warmupSeconds} s warm-up + ${o.seconds} s`);
    const load = await collectorLoad(stack, o);
    const perf = await producerPerf(stack, recordSize, o, dir);
    const edge = await edgeLatency(stack, o);
    return {
      suite: 'ingest',
      figures: {
        'collector.events_per_s': { value: Math.round(load.eventsPerS), unit: 'events/s' },
        'kafka.producer_perf_events_per_s': { value: Math.round(perf), unit: 'events/s' },
        'collector.vs_kafka_ratio': { value: round(load.eventsPerS / perf, 3), unit: 'ratio' },
        'edge.collect_p50_ms': { value: round(edge.collect.p50), unit: 'ms' },
        'edge.collect_p99_ms': { value: round(edge.collect.p99), unit: 'ms' },
        'edge.healthz_p50_ms': { value: round(edge.floor.p50), unit: 'ms' },
        'collector.ingest_p50_ms': { value: round(edge.ingest.p50), unit: 'ms' },
        'collector.ingest_p99_ms': { value: round(edge.ingest.p99), unit: 'ms' },
      },
      context: {
        node: process.version,
        cpus: os.cpus().length,
        kafka: kafkaVersion(),
        kafkaBrokers: process.env.KAFKA_BROKERS ? 'external (KAFKA_BROKERS)' : 'local single-node KRaft, 512m heap',
        recordBytes: recordSize,
        collector: { concurrency: o.concurrency, batchSize: o.batchSize, distinctBatches: o.poolBatches, seconds: o.seconds, requests: load.requests, errors: load.errors },
        producerPerf: { records: o.producerPerfRecords, acks: 'all', idempotence: true },
        edge: {
          batchSize: o.edgeBatchSize,
          samples: edge.collect.samples,
          note: 'wrangler dev (workerd) on loopback; collect includes the relay to the collector and its Kafka ack (collector.ingest_*), and the dev server\'s own proxy hop (edge.healthz_p50_ms)',
        },
      },
    };
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

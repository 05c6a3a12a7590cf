/** Real Kafka and Redis for the collector's integration tests, the collector and pipeline on them, events to send, and the state to wait for. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startChild, startKafka, startRedis, waitUntil, type Child, type KafkaBroker, type RedisServer } from '@sessionflow/infra';
import { SCHEMA_VERSION, type SessionflowEvent, type Topics } from '@sessionflow/core';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { ensureTopics } from '../../src/kafka/topics.js';
import { DEFAULT_TOPIC_BOUNDS } from '../../src/kafka/topic-bounds.js';
import { createLogger } from '../../src/log.js';
import type { PipelineConfig } from '../../src/pipeline/config.js';
import { startPipeline, type PipelineHooks, type RunningPipeline } from '../../src/pipeline/pipeline.js';
import { startCollector, type RunningCollector } from '../../src/server.js';
import { createClient } from 'redis';
import { createStoreClient, type StoreClient } from '../../src/store/client.js';
import { stateLayout, type StateLayout } from '../../src/store/layout.js';
import type { StoreKeys } from '../../src/store/keys.js';
import { ADMIN_SECRET, CATALOG_SECRET, SECRET } from '../fakes.js';

const quiet = createLogger('error', () => undefined);

/** node-redis itself, for what a test reads and writes directly (TTLs, scores, crafted values). */
export type TestRedis = ReturnType<typeof testRedis>;

function testRedis(url: string) {
  return createClient({ url });
}

/** A redis-server of the test file's own, and clients to read what the pipeline stored. */
export interface RedisInfra {
  dir: string;
  redis: RedisServer;
  /** node-redis, for the test's own reads and writes. */
  store: TestRedis;
  /** The collector's store client, for the collector's own functions. */
  client: StoreClient;
  /** Stops everything started here, clients before the servers they talk to, and removes `dir`. */
  stop(): Promise<void>;
}

/** One Kafka broker and one redis-server per test file, with clients on both. */
export interface Infra extends RedisInfra {
  kafka: KafkaBroker;
  /** kafkajs on the broker, for the test's own consumers. */
  kafkaClient: Kafka;
  /** Connected. */
  admin: Admin;
  /** Idempotent, one request in flight: what a test sends arrives once and in order. */
  producer: Producer;
  /** The topics under a prefix as the collector creates them (compacted where core says), `partitions` each. */
  createTopics(topics: Topics, partitions?: number): Promise<void>;
}

/**
 * Runs `start` with a fresh folder and a list of stops it adds to as it goes:
 * when a step fails, what was started before it is stopped, so a failed
 * beforeAll leaves no broker running.
 */
async function started<T>(start: (dir: string, onStop: (stop: () => Promise<unknown>) => void) => Promise<T>): Promise<T & { dir: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sf-collector-it-'));
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async (): Promise<void> => {
    // Each one even when another failed: a client that cannot disconnect must not keep a broker running.
    for (const step of stops.splice(0).reverse()) await step().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    return { ...(await start(dir, (step) => stops.push(step))), dir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startRedisIn(dir: string, onStop: (stop: () => Promise<unknown>) => void): Promise<{ redis: RedisServer; store: TestRedis; client: StoreClient }> {
  const redis = await startRedis({ dir: path.join(dir, 'redis'), port: await freePort() });
  onStop(() => redis.stop());
  const store = testRedis(redis.url);
  await store.connect();
  onStop(() => store.close());
  const client = await connectRedis(redis.url);
  onStop(() => client.close());
  return { redis, store, client };
}

/** Where the pipeline keeps what, for topics of `partitions` partitions each (what createTopics makes). */
export function layoutOf(prefix: string, partitions = 3): StateLayout {
  return stateLayout(prefix, { events: partitions, eventsByUser: partitions, products: partitions, inventory: partitions });
}

/** Redis alone, for what needs no Kafka. */
export function startRedisInfra(): Promise<RedisInfra> {
  return started(startRedisIn);
}

export function startInfra(): Promise<Infra> {
  return started(async (dir, onStop) => {
    const kafka = await startKafka({ dir: path.join(dir, 'kafka'), port: await freePort(), controllerPort: await freePort(), heap: '384m' });
    onStop(() => kafka.stop());
    const { redis, store, client: storeClient } = await startRedisIn(dir, onStop);
    const client = new Kafka({ clientId: 'sf-collector-it', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    onStop(() => admin.disconnect());
    const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    onStop(() => producer.disconnect());
    const createTopics = (topics: Topics, partitions = 3) => ensureTopics(admin, topics, { partitions, replicationFactor: 1, bounds: DEFAULT_TOPIC_BOUNDS }, quiet);
    return { kafka, redis, store, client: storeClient, kafkaClient: client, admin, producer, createTopics };
  });
}

export async function connectRedis(url: string): Promise<StoreClient> {
  const client = createStoreClient(url, quiet);
  await client.connect();
  return client;
}

/**
 * The collector in this process on the test's Kafka and Redis, on a free port (loopback, so the short test
 * secrets are only warned about): relayed batches signed with the fakes' secret, the catalog fed with
 * the fakes' CATALOG_SECRET, erasure with their ADMIN_SECRET, reads with `readSecret`.
 */
export function startTestCollector(infra: Infra, prefix: string, readSecret: string): Promise<RunningCollector> {
  return startCollector({
    kafkaBrokers: infra.kafka.brokers,
    port: 0,
    topicPrefix: prefix,
    relaySecret: SECRET,
    readSecret,
    catalogSecret: CATALOG_SECRET,
    adminSecret: ADMIN_SECRET,
    redisUrl: infra.redis.url,
    producerThread: false,
    logLevel: 'error',
  });
}

/** An in-process pipeline's settings on the test's Kafka and Redis, in a consumer group of the prefix's own. */
export function pipelineSettings(infra: Infra, prefix: string): Partial<PipelineConfig> {
  return { kafkaBrokers: infra.kafka.brokers, redisUrl: infra.redis.url, topicPrefix: prefix, groupId: `${prefix}-pipeline`, port: 0, logLevel: 'error' };
}

/** The pipeline in this process (`config` over the test's settings), once its probe says every stage joined its group. */
export async function startReadyPipeline(infra: Infra, prefix: string, hooks: PipelineHooks = {}, config: Partial<PipelineConfig> = {}): Promise<RunningPipeline> {
  const pipeline = await startPipeline({ ...pipelineSettings(infra, prefix), ...config }, hooks);
  try {
    await eventually('the pipeline to be ready', async () => (await fetch(`${pipeline.url}/readyz`)).status === 200, 60_000);
  } catch (error) {
    await pipeline.close();
    throw error;
  }
  return pipeline;
}

/** Polls until `probe` holds; the deadline only bounds a test that would otherwise hang. */
const collectorDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * `npm run pipeline` (the built `dist/pipeline/main.js`) as a child process of
 * its own on the test's Kafka and Redis, so a test can kill it for real. Its
 * group is `<prefix>-pipeline` unless `env` says otherwise; it logs to
 * `<infra.dir>/<logName>` and prints its probes' URL there.
 */
export function startPipelineChild(infra: Infra, o: { name: string; prefix: string; logName: string; env?: Record<string, string> }): Child {
  return startChild({
    name: o.name,
    command: process.execPath,
    args: [path.join(collectorDir, 'dist', 'pipeline', 'main.js')],
    env: {
      ...process.env,
      KAFKA_BROKERS: infra.kafka.brokers.join(','),
      REDIS_URL: infra.redis.url,
      TOPIC_PREFIX: o.prefix,
      PIPELINE_GROUP: `${o.prefix}-pipeline`,
      PIPELINE_PORT: '0',
      LOG_LEVEL: 'warn',
      ...o.env,
    },
    logFile: path.join(infra.dir, o.logName),
  });
}

export function eventually(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  return waitUntil(what, probe, { timeoutMs, intervalMs: 100 });
}

export interface Visitor {
  anonymousId: string;
  sessionId: string;
}

export function newVisitor(): Visitor {
  return { anonymousId: `anon-${randomUUID()}`, sessionId: `session-${randomUUID()}` };
}

function base(visitor: Visitor, at: number) {
  return {
    schemaVersion: SCHEMA_VERSION,
    eventId: `evt-${randomUUID()}`,
    anonymousId: visitor.anonymousId,
    sessionId: visitor.sessionId,
    timestamp: at,
    page: { url: 'https://shop.example/', referrer: '' },
  };
}

export function productClick(visitor: Visitor, productId: string, category: string, at = Date.now()): SessionflowEvent {
  return { ...base(visitor, at), type: 'click', element: { tag: 'article' }, product: { id: productId, category } };
}

export function addToCart(visitor: Visitor, productId: string, at = Date.now()): SessionflowEvent {
  return { ...base(visitor, at), type: 'track', name: 'add_to_cart', props: { productId } };
}

export function pageView(visitor: Visitor, at = Date.now()): SessionflowEvent {
  return { ...base(visitor, at), type: 'page_view' };
}

/** A member's score summed over every by-user partition's part of a sorted set (`part` names the part of one partition); null when in none. */
export async function scoreOverParts(redis: TestRedis, layout: StateLayout, part: (keys: StoreKeys) => string, member: string): Promise<number | null> {
  const scores = (await Promise.all(layout.everyByUser().map((keys) => redis.zScore(part(keys), member)))).filter((score): score is number => score !== null);
  return scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0);
}

/** A hash's integer fields summed over every by-user partition's part. */
export async function countsOverParts(redis: TestRedis, layout: StateLayout, part: (keys: StoreKeys) => string): Promise<Record<string, number>> {
  const sums: Record<string, number> = {};
  for (const hash of await Promise.all(layout.everyByUser().map((keys) => redis.hGetAll(part(keys))))) {
    for (const [field, value] of Object.entries(hash)) sums[field] = (sums[field] ?? 0) + Number(value);
  }
  return sums;
}

/** How many by-user partitions hold the key `part` names. */
export async function partsHolding(redis: TestRedis, layout: StateLayout, part: (keys: StoreKeys) => string): Promise<number> {
  return (await Promise.all(layout.everyByUser().map((keys) => redis.exists(part(keys))))).reduce((a, b) => a + b, 0);
}

/** A sorted set's members and their scores summed over every by-user partition's part. */
export async function sortedSetOverParts(redis: TestRedis, layout: StateLayout, part: (keys: StoreKeys) => string): Promise<Map<string, number>> {
  const sums = new Map<string, number>();
  for (const members of await Promise.all(layout.everyByUser().map((keys) => redis.zRangeWithScores(part(keys), 0, -1)))) {
    for (const { value, score } of members) sums.set(value, (sums.get(value) ?? 0) + score);
  }
  return sums;
}

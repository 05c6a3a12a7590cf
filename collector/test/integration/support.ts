/**
 * Real Kafka and Redis for the collector's integration tests, the collector and pipeline on them, events to send, and the state to wait for.
 *
 * Two modes. `npm run test:integration`: the run's globalSetup started one Kafka broker that every file shares
 * (`sharedBroker`), and each file starts one redis-server of its own (a file run alone, outside that config, starts
 * its own broker too). `npm run
 * test:cluster` (vitest.cluster.config.ts): the run's globalSetup started one 3-node Kafka and one Redis Cluster, and
 * every file shares them (`sharedCluster` below); topics are created with replication factor 3, and what a test reads
 * and writes directly goes through node-redis' cluster client.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startChild, startKafka, startRedis, waitUntil, type Child, type KafkaBroker, type RedisServer, type SharedBroker } from '@sessionflow/infra';
import { encodeEventRecord, SCHEMA_VERSION, type SessionflowEvent, type Topics } from '@sessionflow/core';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { inject } from 'vitest';
import { ensureTopics } from '../../src/kafka/topics.js';
import { DEFAULT_TOPIC_BOUNDS } from '../../src/kafka/topic-bounds.js';
import { createLogger } from '../../src/log.js';
import type { PipelineConfig } from '../../src/pipeline/config.js';
import { startPipeline, type PipelineHooks, type RunningPipeline } from '../../src/pipeline/pipeline.js';
import { startCollector, type RunningCollector } from '../../src/server.js';
import { createClient, createCluster } from 'redis';
import { createStoreClient, type StoreClient } from '../../src/store/client.js';
import { stateLayout, type StateLayout } from '../../src/store/layout.js';
import type { StoreKeys } from '../../src/store/keys.js';
import { ADMIN_SECRET, CATALOG_SECRET, SECRET } from '../fakes.js';
import { SHARED_BROKER, SHARED_CLUSTER, type SharedCluster } from './shared-cluster.js';

const quiet = createLogger('error', () => undefined);

/** The run's shared Kafka cluster and Redis Cluster under `npm run test:cluster`; undefined under `npm run test:integration`. */
export const sharedCluster: SharedCluster | undefined = inject(SHARED_CLUSTER);
/** True when this file runs on the shared cluster: what `describe.skipIf` names for a case only a single node can show. */
export const onCluster = sharedCluster !== undefined;
/** The run's shared broker under `npm run test:integration`. */
const sharedBroker: SharedBroker | undefined = inject(SHARED_BROKER);

/** node-redis itself, for what a test reads and writes directly (TTLs, scores, crafted values). */
export type TestRedis = ReturnType<typeof testRedis>;

function testRedis(url: string) {
  return createClient({ url });
}

/**
 * node-redis' cluster client over the shared cluster's nodes, as a TestRedis: it has the same commands, each routed to
 * its key's slot. Tests on the cluster read and write one key per command through it (or keys of one slot);
 * keys of several slots go through `getEach` and `scanKeys`, since Redis refuses a multi-key command across
 * slots (CROSSSLOT), and a keyless one like KEYS reaches one node only.
 */
function clusterTestRedis(nodes: readonly string[]): TestRedis {
  return createCluster({ rootNodes: nodes.map((url) => ({ url })) }) as unknown as TestRedis;
}

/** GET of each key, in the order asked: keys of any slots, on one redis-server or a cluster. */
export function getEach(redis: TestRedis, keys: readonly string[]): Promise<(string | null)[]> {
  return Promise.all(keys.map((key) => redis.get(key)));
}

/** Every key matching `match`, on every master of a cluster (the store client's SCAN) or the one redis-server. */
export async function scanKeys(client: StoreClient, match: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of client.scan(match, 500)) keys.push(...page);
  return keys;
}

/** How the topics a test, its collector and its pipeline create are replicated: once on one broker; 3 times, 2 in sync, on the cluster. */
export interface TopicReplication {
  replicationFactor: number;
  minInsyncReplicas?: number;
}

/** A redis-server of the test file's own, and clients to read what the pipeline stored. */
export interface RedisInfra {
  dir: string;
  redis: RedisServer;
  /** node-redis, for the test's own reads and writes. */
  store: TestRedis;
  /** The collector's store client, for the collector's own functions. */
  client: StoreClient;
  /** Stops everything started here, clients before the servers they talk to, and removes `dir`; never the shared cluster. */
  stop(): Promise<void>;
}

/**
 * One Kafka broker and one redis-server per test file, with clients on both; on the shared cluster, its brokers and
 * REDIS_URL (the nodes' comma-separated URLs), with clients of the file's own.
 */
export interface Infra extends Omit<RedisInfra, 'redis'> {
  /** What KAFKA_BROKERS takes: the file's broker, or every node of the shared cluster. */
  kafka: Pick<KafkaBroker, 'brokers'>;
  /** What REDIS_URL takes: the file's redis-server, or the shared Redis Cluster. */
  redis: Pick<RedisServer, 'url'>;
  /** For the collector and pipeline a test starts (`replicationEnv` for a process). */
  replication: TopicReplication;
  /** kafkajs on the broker, for the test's own consumers. */
  kafkaClient: Kafka;
  /** Connected. */
  admin: Admin;
  /** Idempotent, one request in flight: what a test sends arrives once and in order. */
  producer: Producer;
  /** The topics under a prefix as the collector creates them (compacted where core says, replicated as `replication` says), `partitions` each. */
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
  return { redis, ...(await connectClients(redis.url, testRedis(redis.url), onStop)) };
}

/** The test's node-redis client and the collector's store client on `url`, closed at the file's stop. */
async function connectClients(url: string, store: TestRedis, onStop: (stop: () => Promise<unknown>) => void): Promise<{ store: TestRedis; client: StoreClient }> {
  await store.connect();
  onStop(() => store.close());
  const client = await connectRedis(url);
  onStop(() => client.close());
  return { store, client };
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
    let kafka: Infra['kafka'];
    let redis: Infra['redis'];
    let store: TestRedis;
    let storeClient: StoreClient;
    let replication: TopicReplication;
    if (sharedCluster !== undefined) {
      // The run's cluster: started and stopped by cluster-setup.ts, never here.
      kafka = { brokers: sharedCluster.kafkaBrokers };
      redis = { url: sharedCluster.redisUrl };
      ({ store, client: storeClient } = await connectClients(sharedCluster.redisUrl, clusterTestRedis(sharedCluster.redisNodes), onStop));
      replication = { replicationFactor: sharedCluster.replicationFactor, minInsyncReplicas: sharedCluster.minInsyncReplicas };
    } else {
      if (sharedBroker !== undefined) {
        // The run's broker: started and stopped by broker-setup.ts, never here.
        kafka = { brokers: sharedBroker.kafkaBrokers };
      } else {
        const broker = await startKafka({ dir: path.join(dir, 'kafka'), port: await freePort(), controllerPort: await freePort(), heap: '384m' });
        onStop(() => broker.stop());
        kafka = broker;
      }
      ({ redis, store, client: storeClient } = await startRedisIn(dir, onStop));
      replication = { replicationFactor: 1 };
    }
    const client = new Kafka({ clientId: 'sf-collector-it', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    onStop(() => admin.disconnect());
    const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    onStop(() => producer.disconnect());
    const createTopics = (topics: Topics, partitions = 3) => ensureTopics(admin, topics, { partitions, ...replication, bounds: DEFAULT_TOPIC_BOUNDS }, quiet);
    return { kafka, redis, replication, store, client: storeClient, kafkaClient: client, admin, producer, createTopics };
  });
}

/** KAFKA_REPLICATION_FACTOR and KAFKA_MIN_INSYNC_REPLICAS of a collector or pipeline process on the test's Kafka. */
export function replicationEnv(infra: Infra): Record<string, string> {
  const { replicationFactor, minInsyncReplicas } = infra.replication;
  return { KAFKA_REPLICATION_FACTOR: String(replicationFactor), ...(minInsyncReplicas === undefined ? {} : { KAFKA_MIN_INSYNC_REPLICAS: String(minInsyncReplicas) }) };
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
    ...infra.replication,
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
  return { kafkaBrokers: infra.kafka.brokers, ...infra.replication, redisUrl: infra.redis.url, topicPrefix: prefix, groupId: `${prefix}-pipeline`, port: 0, logLevel: 'error' };
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

const collectorDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * `npm run pipeline` (the built `dist/pipeline/main.js`) as a child process of
 * its own on the test's Kafka and Redis, so a test can kill it for real. Its
 * group is `<prefix>-pipeline` and its store `infra.redis` unless `env` says
 * otherwise (PIPELINE_GROUP, REDIS_URL); it logs to
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
      ...replicationEnv(infra),
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

/** Writes `events` to `topic` as the collector would have (received 5 ms, ingested 6 ms after each event's time), acknowledged by every replica. */
export async function produceEvents(infra: Infra, topic: string, events: SessionflowEvent[]): Promise<void> {
  const messages = events.map((e) => encodeEventRecord(e, { siteKey: 'demo-site-key', receivedAt: e.timestamp + 5, ingestedAt: e.timestamp + 6 }));
  await infra.producer.send({ topic, acks: -1, messages });
}

/** The probes' URL a pipeline child printed in its log; fails at once, with the log, if the child exits first. */
export async function printedProbes(child: Child, what = 'the pipeline', timeoutMs = 60_000): Promise<string> {
  let probes = '';
  await eventually(`${what} to print its probes URL`, async () => {
    if (!child.isRunning()) throw new Error(`${what} exited: ${readFileSync(child.logFile, 'utf8')}`);
    probes = /probes on (http:\/\/\S+)/.exec(readFileSync(child.logFile, 'utf8'))?.[1] ?? '';
    return probes !== '';
  }, timeoutMs);
  return probes;
}

/** `printedProbes`, then until the child answers ready. */
export async function readyProbes(child: Child, what = 'the pipeline', timeoutMs = 60_000): Promise<string> {
  const probes = await printedProbes(child, what, timeoutMs);
  await eventually(`${what} to be ready`, async () => (await fetch(`${probes}/readyz`)).status === 200, timeoutMs);
  return probes;
}

/** Polls until `probe` holds; the deadline only bounds a test that would otherwise hang. */
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

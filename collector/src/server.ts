/**
 * Starts a collector: Kafka clients, topics, the batcher, the HTTP server; and
 * stops it gracefully. Tests and benchmarks call `startCollector` in-process;
 * `main.ts` is the command-line entry around it.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { topicNames } from '@sessionflow/core';
import type { Admin } from 'kafkajs';
import { createCollectorApp } from './app.js';
import { collectorDegradePolicy, readConfig, startupChecks, type CollectorConfig } from './config.js';
import { ProduceBatcher } from './ingest/batcher.js';
import { createKafka } from './kafka/client.js';
import { measuredSend, startInlineProducer, type ProducerHandle } from './kafka/producer.js';
import { startProducerThread } from './kafka/producer-thread.js';
import { cachedProbe } from './kafka/readiness.js';
import { inSyncReplicasCheck } from './kafka/in-sync.js';
import { writeReadiness } from './kafka/write-readiness.js';
import { ensureTopics } from './kafka/topics.js';
import { createLogger, type Logger } from './log.js';
import { createCollectorMetrics } from './metrics.js';
import { redisReadStore } from './read/redis-store.js';
import { redisAggregateReads } from './read/aggregate-redis-store.js';
import { redisConsoleReads } from './read/console/redis-store.js';
import { edgeRulesReader } from './read/console/edge-rules.js';
import { createStoreClient, type StoreClient } from './store/client.js';
import { readStateLayout, type StateLayout } from './store/layout.js';
import { startErasureService, type ErasureService } from './erasure/service.js';
import { erasureMarkerLifeMs } from './kafka/topic-bounds.js';
import { erasureMarks } from './erasure/marks.js';
import { idsOutOfLogs } from './erasure/ids-in-logs.js';
import { LevelKeeper } from './degrade/level-keeper.js';
import { startCollectorLevel, summaryP99Ms } from './degrade/collector-level.js';
import { NO_PIPELINE, pipelineWatch } from './degrade/pipeline-watch.js';
import { degradation } from './degrade/degradation.js';

export { createCollectorApp, type CollectorAppDeps } from './app.js';
export { DEFAULT_CONFIG, DEV_RELAY_SECRET, DEV_SECRETS, readConfig, type CollectorConfig } from './config.js';
export { ProduceBatcher, type BatcherOptions, type SendBatch, type TopicMessages } from './ingest/batcher.js';
export type { OutboundRecord, RecordSink } from './ingest/sink.js';
export type { Readiness, ReadinessProbe } from './kafka/readiness.js';
export { createCollectorMetrics, type CollectorMetrics } from './metrics.js';
export { nodeHmacCrypto } from './ingest/hmac.js';
export { startPipeline, type RunningPipeline } from './pipeline/pipeline.js';
export { DEFAULT_PIPELINE_CONFIG, readPipelineConfig, type PipelineConfig } from './pipeline/config.js';
export type { ReadStore, RecsQuery } from './read/store.js';
export { storeKeys, type StoreKeys } from './store/keys.js';
export { stateLayout, readStateLayout, type StateLayout } from './store/layout.js';
export { stageOffsetKeys, type StageName } from './pipeline/stage-offsets.js';
export { DEFAULT_TOPIC_BOUNDS, erasureMarkerLifeMs, erasuresRetentionMs, longestPersonalDataLifeMs, type TopicBounds } from './kafka/topic-bounds.js';
export { erasureMark } from './erasure/marks.js';
export { personTraces, type Trace } from './erasure/traces.js';
export { createStoreClient, type StoreClient } from './store/client.js';
export { createLogger } from './log.js';

export interface RunningCollector {
  /** Base URL, e.g. `http://127.0.0.1:8788`. */
  url: string;
  port: number;
  /** Stops accepting, waits for in-flight requests and sends to flush, disconnects from Kafka. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts a collector; `config` overrides what the environment (or the defaults) say. */
export async function startCollector(config: Partial<CollectorConfig> = {}): Promise<RunningCollector> {
  const settings: CollectorConfig = { ...readConfig(process.env), ...config };
  const logger = createLogger(settings.logLevel, undefined, idsOutOfLogs(settings.topicPrefix, settings.erasureSecret, erasureMarks(settings.topicPrefix, settings.erasureSecret)));
  for (const warning of startupChecks(settings)) logger.warn(warning);

  const topics = topicNames(settings.topicPrefix);
  const kafka = createKafka(settings, logger);
  const admin = kafka.admin();
  // Its own client with no retries: a probe must answer quickly, not retry for seconds.
  const probeAdmin = kafka.admin({ retry: { retries: 0 } });
  let producer: ProducerHandle | undefined;
  let layout: StateLayout;
  const disconnectAll = async () => {
    await disconnect(logger, [admin, probeAdmin, ...(producer ? [producer] : [])]);
  };

  try {
    await admin.connect();
    await ensureTopics(
      admin,
      topics,
      { partitions: settings.topicPartitions, replicationFactor: settings.replicationFactor, minInsyncReplicas: settings.minInsyncReplicas, bounds: settings.topicBounds },
      logger,
    );
    // The reads find each id's partition as the producers do (store/owner.ts).
    layout = await readStateLayout(admin, settings.topicPrefix);
    producer = settings.producerThread
      ? await startProducerThread(settings, logger)
      : await startInlineProducer(kafka, (partitions) => logger.warn('Kafka acknowledged a send without some of its partitions; sending their records again', { partitions }));
    await probeAdmin.connect();
  } catch (error) {
    await disconnectAll();
    throw new Error(`cannot start the collector: Kafka at ${settings.kafkaBrokers.join(',')} is not usable: ${message(error)}`, {
      cause: error,
    });
  }

  const metrics = createCollectorMetrics();
  const { send, alive } = producer;
  const batcher = new ProduceBatcher(measuredSend(send, metrics), {
    maxBatchRecords: settings.batchMaxRecords,
    maxBatchBytes: settings.batchMaxBytes,
    lingerMs: settings.batchLingerMs,
    maxPendingBytes: settings.maxPendingBytes,
  });
  // The collector's own level, stepped every second from how Kafka keeps up (degrade/collector-level.ts).
  const level = startCollectorLevel({
    keeper: new LevelKeeper(collectorDegradePolicy(settings), metrics.level, Date.now()),
    gauges: {
      recentProduceP99Ms: () => summaryP99Ms(metrics.produceRecent),
      unacknowledgedForMs: () => batcher.unacknowledgedForMs(),
      pendingBytes: () => batcher.pendingBytes,
    },
    logger,
  });
  const readiness = cachedProbe(
    writeReadiness({
      producerAlive: alive,
      // The topics ingest and the catalog write to.
      inSync: inSyncReplicasCheck(probeAdmin, [topics.events, topics.eventsDlq, topics.products, topics.inventory], settings.minInsyncReplicas),
      unacknowledgedForMs: () => batcher.unacknowledgedForMs(),
      produceTimeoutMs: settings.produceTimeoutMs,
    }),
    {
      maxAgeMs: settings.readinessCacheMs,
      timeoutMs: settings.readinessTimeoutMs,
    },
  );

  // Only the read routes need Redis: it connects in the background, and ingest never waits for it.
  let redis: StoreClient | undefined;
  if (settings.redisUrl !== undefined) {
    redis = createStoreClient(settings.redisUrl, logger);
    redis.connect().catch((error: unknown) => logger.warn('Redis is not reachable; the read routes answer 503 until it is', { error }));
  }
  // Erasure (DELETE /v1/users/:userId) needs the store, and a producer of its own for the markers and tombstones.
  let erasure: ErasureService | undefined;
  if (redis !== undefined) {
    erasure = await startErasureService(kafka, redis, layout, {
      topicPrefix: settings.topicPrefix,
      erasureSecret: settings.erasureSecret,
      markerLifeMs: erasureMarkerLifeMs(settings.topicBounds),
      experiments: settings.experiments.map((setup) => setup.experiment.key),
      edgeUrl: settings.edgeUrl,
      edgeAdminSecret: settings.edgeAdminSecret,
    }).catch((error: unknown) => {
      logger.warn('erasure is unavailable: its Kafka producer did not connect', { error });
      return undefined;
    });
  }
  const closeRedis = async () => {
    await erasure?.close().catch((error: unknown) => logger.warn('disconnecting the erasure producer failed', { error }));
    if (redis?.isOpen) await redis.close().catch(() => redis?.destroy());
    else redis?.destroy();
  };

  let draining = false;
  const app = createCollectorApp({
    config: settings,
    topics,
    sink: batcher,
    readiness,
    readStore: redis === undefined ? undefined : redisReadStore(redis, layout),
    erasure,
    aggregateReads: redis === undefined ? undefined : redisAggregateReads(redis, layout),
    consoleReads: redis === undefined ? undefined : redisConsoleReads(redis, layout),
    edgeRules: settings.edgeUrl !== undefined && settings.edgeAdminSecret !== undefined ? edgeRulesReader({ edgeUrl: settings.edgeUrl, secret: settings.edgeAdminSecret }) : undefined,
    experiments: settings.experiments,
    degradation: degradation(level.current, redis === undefined ? NO_PIPELINE : pipelineWatch(redis, settings.topicPrefix, logger)),
    metrics,
    isDraining: () => draining,
    logger,
  });

  const inflight = new InflightRequests();
  let server: Server;
  try {
    server = await listen((listener) =>
      serve(
        {
          fetch: (request, env) => inflight.track(() => app.fetch(request, env)),
          hostname: settings.host,
          port: settings.port,
        },
        listener,
      ) as Server,
    );
  } catch (error) {
    level.stop();
    await batcher.close();
    await disconnectAll();
    await closeRedis();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`;
  logger.info('collector listening', { url, brokers: settings.kafkaBrokers, topics });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      draining = true;
      level.stop();
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + settings.shutdownTimeoutMs;
      if (!(await within(inflight.settled(), deadline))) logger.warn('shutdown: requests still in flight at the deadline');
      if (!(await within(batcher.close(), deadline))) logger.warn('shutdown: sends to Kafka still pending at the deadline');
      server.closeAllConnections();
      await disconnectAll();
      await closeRedis();
      await serverClosed;
      logger.info('collector stopped');
    })());

  return { url, port, close };
}

/** The requests being handled, so shutdown can wait for those already in progress (later ones are refused). */
class InflightRequests {
  private readonly current = new Set<Promise<unknown>>();

  track<T>(handle: () => T | Promise<T>): Promise<T> {
    const promise = Promise.resolve().then(handle);
    this.current.add(promise);
    const forget = () => this.current.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /** Settles when every request in progress now has been answered. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.current]);
  }
}

function listen(start: (listener: () => void) => Server): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = start(() => {
      server.off('error', reject);
      resolve(server);
    });
    server.once('error', reject);
  });
}

/** True if `promise` settled before `deadline` (epoch ms). */
async function within(promise: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}

async function disconnect(logger: Logger, clients: (Admin | ProducerHandle)[]): Promise<void> {
  const results = await Promise.allSettled(clients.map((client) => ('close' in client ? client.close() : client.disconnect())));
  for (const result of results) {
    if (result.status === 'rejected') logger.warn('disconnect from Kafka failed', { error: result.reason });
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

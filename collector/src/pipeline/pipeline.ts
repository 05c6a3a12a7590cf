/**
 * Starts a pipeline instance: topics, Redis, the consumer group, the probes'
 * HTTP server; and stops it cleanly. Tests start it in-process; `main.ts` is
 * the command-line entry around it.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { topicNames } from '@sessionflow/core';
import { createKafka } from '../kafka/client.js';
import { ensureTopics } from '../kafka/topics.js';
import { createLogger } from '../log.js';
import { createStoreClient, redacted, storeAnswers } from '../store/client.js';
import { readStateLayout, type StateLayout } from '../store/layout.js';
import { pipelineStartupChecks, readPipelineConfig, type PipelineConfig } from './config.js';
import { startConsumer, type ConsumerDeps, type PipelineConsumer } from './consumer.js';
import { createHealthApp } from './health.js';
import { createPipelineMetrics } from './metrics.js';
import { startEventsStages, type EventsStages, type EventsStagesHooks } from './events-stages.js';
import { erasureMarks } from '../erasure/marks.js';
import { idsOutOfLogs } from '../erasure/ids-in-logs.js';
import { erasureMarkerLifeMs } from '../kafka/topic-bounds.js';
import { startMarksFollower, type MarksFollower } from '../erasure/marks-follower.js';
import { LevelKeeper } from '../degrade/level-keeper.js';
import { startPipelineLevel } from './degrade/pipeline-level.js';

const REDIS_START_TIMEOUT_MS = 10_000;
/** How long start-up waits for the erasure markers of the `erasures` topic to be in Redis before the stages consume. */
const MARKERS_CATCH_UP_TIMEOUT_MS = 60_000;

export interface RunningPipeline {
  /** Base URL of the probes. */
  url: string;
  /** Leaves the group, closes Redis and the probes. Safe to call twice. */
  close(): Promise<void>;
  /** Settles when a stage's consumer crashed for good: the instance no longer consumes, and should stop and be restarted. */
  failed: Promise<Error>;
}

export interface PipelineHooks extends EventsStagesHooks {
  onBatch?: ConsumerDeps['onBatch'];
}

export async function startPipeline(config: Partial<PipelineConfig> = {}, hooks: PipelineHooks = {}): Promise<RunningPipeline> {
  const settings: PipelineConfig = { ...readPipelineConfig(process.env), ...config };
  let fail: (error: Error) => void = () => {};
  const failed = new Promise<Error>((resolve) => (fail = resolve));
  const told = hooks.onFatal;
  hooks = {
    ...hooks,
    onFatal: (error) => {
      told?.(error);
      fail(error);
    },
  };
  const marks = erasureMarks(settings.topicPrefix, settings.erasureSecret);
  const logger = createLogger(settings.logLevel, undefined, idsOutOfLogs(settings.topicPrefix, settings.erasureSecret, marks));
  for (const warning of pipelineStartupChecks(settings)) logger.warn(warning);
  const metrics = createPipelineMetrics();
  const topics = topicNames(settings.topicPrefix);
  const kafka = createKafka({ kafkaBrokers: settings.kafkaBrokers, kafkaClientId: settings.kafkaClientId }, logger);

  const admin = kafka.admin();
  let layout: StateLayout;
  try {
    await admin.connect();
    await ensureTopics(admin, topics, { partitions: settings.topicPartitions, replicationFactor: settings.replicationFactor, minInsyncReplicas: settings.minInsyncReplicas, bounds: settings.topicBounds }, logger);
    // Which partition owns what follows from the topics as Kafka has them (../store/owner.ts).
    layout = await readStateLayout(admin, settings.topicPrefix);
  } catch (error) {
    throw new Error(`cannot start the pipeline: Kafka at ${settings.kafkaBrokers.join(',')} is not usable: ${message(error)}`, { cause: error });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }

  const redis = createStoreClient(settings.redisUrl, logger);
  try {
    // node-redis retries a refused connection without end; a pipeline without its store should say so and exit.
    await withTimeout(redis.connect(), REDIS_START_TIMEOUT_MS, `no answer within ${REDIS_START_TIMEOUT_MS} ms`);
  } catch (error) {
    redis.destroy();
    throw new Error(`cannot start the pipeline: Redis at ${redacted(settings.redisUrl)} is not usable: ${message(error)}`, { cause: error });
  }

  // Every marker still in force is in Redis before any stage reads an event: a replay into an empty Redis drops what the original run dropped.
  let follower: MarksFollower;
  try {
    follower = await startMarksFollower({
      kafka,
      topic: topics.erasures,
      groupId: settings.groupId,
      redis,
      marks,
      scopes: layout.markerScopes(),
      lifeMs: erasureMarkerLifeMs(settings.topicBounds),
      clock: Date.now,
      logger,
      metrics,
      ...(hooks.onFatal ? { onFatal: hooks.onFatal } : {}),
    });
  } catch (error) {
    redis.destroy();
    throw new Error(`cannot start the pipeline: reading the erasure markers of ${topics.erasures} failed: ${message(error)}`, { cause: error });
  }
  try {
    await withTimeout(follower.caughtUp, MARKERS_CATCH_UP_TIMEOUT_MS, `not read to its end within ${MARKERS_CATCH_UP_TIMEOUT_MS} ms`);
  } catch (error) {
    await follower.stop().catch(() => undefined);
    redis.destroy();
    throw new Error(`cannot start the pipeline: the erasure markers of ${topics.erasures} are ${message(error)}`, { cause: error });
  }

  // The identity and sessions stages, fed by one consumer of the events topic.
  let events: EventsStages;
  try {
    events = await startEventsStages(kafka, { ...settings, layout, marks, metrics, redis }, logger, hooks);
  } catch (error) {
    await follower.stop().catch(() => undefined);
    redis.destroy();
    throw new Error(`cannot start the pipeline's identity and sessions stages: ${message(error)}`, { cause: error });
  }

  let consumer: PipelineConsumer;
  try {
    consumer = await startConsumer({
      kafka,
      groupId: settings.groupId,
      layout,
      redis,
      marks,
      publishProfiles: events.publishProfiles,
      seenTtlSeconds: settings.dedupeTtlSeconds,
      experiments: settings.experiments,
      bounds: settings.bounds,
      logger,
      metrics,
      retryBackoff: settings.retryBackoff,
      storeCheckMs: settings.storeCheckMs,
      ...(hooks.onBatch ? { onBatch: hooks.onBatch } : {}),
      ...(hooks.onFatal ? { onFatal: hooks.onFatal } : {}),
    });
  } catch (error) {
    await events.stop().catch(() => undefined);
    await follower.stop().catch(() => undefined);
    redis.destroy();
    throw new Error(`cannot start the pipeline: ${message(error)}`, { cause: error });
  }

  // Its level from its lag, every second, in /metrics and in Redis for the collector (degrade/pipeline-level.ts).
  const level = startPipelineLevel({ keeper: new LevelKeeper(settings.degradePolicy, metrics.level, Date.now()), metrics, redis, topicPrefix: settings.topicPrefix, logger });
  const app = createHealthApp({ joined: () => consumer.joined() && events.joined(), storeAnswers: () => storeAnswers(redis), metrics: metrics.registry });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: settings.host, port: settings.port }, () => resolve(s as Server)) as Server;
    s.once('error', reject);
  }).catch(async (error: unknown) => {
    await level.stop();
    await consumer.stop().catch(() => undefined);
    await events.stop().catch(() => undefined);
    await follower.stop().catch(() => undefined);
    redis.destroy();
    throw error;
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`;
  logger.info('pipeline running', { url, groupId: settings.groupId, topics: [topics.events, topics.eventsByUser, topics.products, topics.inventory, topics.sessions, topics.erasures] });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // Its report goes first: a stopping instance is not a silent one (the others', or none, tell the collector the rest).
      await level.stop();
      // Leaving the group waits for the batch in progress; its transaction then either committed with its offset or never happened.
      await consumer.stop().catch((error: unknown) => logger.warn('leaving the consumer group failed', { error }));
      await events.stop().catch((error: unknown) => logger.warn('stopping the identity and sessions stages failed', { error }));
      await follower.stop().catch((error: unknown) => logger.warn('stopping the erasure markers consumer failed', { error }));
      await redis.close().catch(() => redis.destroy());
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      logger.info('pipeline stopped');
    })());
  return { url, close, failed };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, reason: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(reason)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

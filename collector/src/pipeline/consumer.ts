/**
 * The pipeline's kafkajs consumer group on the events, products and inventory
 * topics. Offsets live in Redis with the state (apply.ts), never in Kafka:
 * autoCommit is off and nothing commits, so where Kafka would start a
 * partition (the earliest record) is never past what Redis covers. On every
 * assignment the consumer seeks each partition to its stored offset, which
 * only saves re-reading: records below it would be skipped anyway.
 */
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Topics } from '@sessionflow/core';
import type { Logger } from '../log.js';
import type { StoreClient } from '../store/client.js';
import type { StoreKeys } from '../store/keys.js';
import { applyBatch, type ApplyDeps, type BatchOutcome } from './apply.js';
import { coalescedSnapshots } from './coalesced-snapshots.js';
import type { ExperimentSetup } from './experiments/config.js';
import type { IdentityKeys } from '../store/identity-keys.js';
import type { PublishProfiles } from './identity/profile-snapshots.js';

/**
 * Partitions a stage applies at once (kafkajs' `partitionsConsumedConcurrently`).
 * A batch is one script call guarded by what it read (../store/guarded-batch.ts),
 * not a WATCH tied to the connection, so batches of different partitions share
 * a connection, and one partition's Redis or Kafka round trip no longer holds
 * up the others. A partition's own batches stay one after another, in order.
 * The identity and sessions stages use it; this (aggregates) stage does not.
 */
export const PARTITIONS_AT_ONCE = 3;

/**
 * The aggregates stage applies one partition at a time: a funnel rollup reads
 * its session's traffic source, which the session's landing page view wrote,
 * and after a login the session's later events travel under the user's key,
 * often on another partition of the by-user topic than the landing. Taken in
 * turn, the landing (produced earlier) is applied first as long as the stage
 * keeps up; side by side, a later event overtook it often enough to count
 * visits under an unknown source.
 */
const AGGREGATE_PARTITIONS_AT_ONCE = 1;

export interface ConsumerDeps {
  kafka: Kafka;
  groupId: string;
  topics: Pick<Topics, 'eventsByUser' | 'products' | 'inventory' | 'sessions'>;
  /** A connection of its own: WATCH belongs to the connection. */
  redis: StoreClient;
  keys: StoreKeys;
  identityKeys: IdentityKeys;
  /** Publishes the snapshots of the profiles a committed batch changed (identity/profile-snapshots.ts). */
  publishProfiles?: PublishProfiles;
  seenTtlSeconds: number;
  /** The experiments whose exposures and conversions are counted. */
  experiments?: readonly ExperimentSetup[];
  logger: Logger;
  /** Told after each applied batch (tests, metrics). */
  onBatch?: (batch: { topic: string; partition: number }, outcome: BatchOutcome) => void;
  /** Told when the consumer crashed and kafkajs will not restart it: the stage is dead, and the process should say so. */
  onFatal?: (error: Error) => void;
}

export interface PipelineConsumer {
  /** True while the consumer is a member of the group with its partitions assigned. */
  joined(): boolean;
  stop(): Promise<void>;
}

export async function startConsumer(deps: ConsumerDeps): Promise<PipelineConsumer> {
  const { kafka, topics, logger } = deps;
  const consumer = kafka.consumer({
    groupId: deps.groupId,
    allowAutoTopicCreation: false,
    // A killed instance's partitions move after 10 s instead of kafkajs' 30 s; batches take milliseconds, and each ends with a heartbeat.
    sessionTimeout: 10_000,
    heartbeatInterval: 3_000,
  });
  let joined = false;
  const { GROUP_JOIN, CRASH, STOP, DISCONNECT, REBALANCING } = consumer.events;
  consumer.on(GROUP_JOIN, ({ payload }) => {
    joined = true;
    logger.info('pipeline joined the consumer group', { groupId: payload.groupId, assignment: payload.memberAssignment });
    seekToStored(consumer, deps, payload.memberAssignment).catch((error: unknown) => {
      logger.warn('seeking to the offsets stored in Redis failed; records already applied will be skipped instead', { error });
    });
  });
  consumer.on(REBALANCING, () => (joined = false));
  consumer.on(STOP, () => (joined = false));
  consumer.on(DISCONNECT, () => (joined = false));
  consumer.on(CRASH, ({ payload }) => {
    joined = false;
    logger.error('pipeline consumer crashed', { error: payload.error, restart: payload.restart });
    if (!payload.restart) deps.onFatal?.(payload.error);
  });

  // Published after the batch, not awaited by it: the next batch (and the next event's latency) does not wait for Kafka.
  const snapshots = deps.publishProfiles ? coalescedSnapshots(deps.publishProfiles, (error) => logger.warn('publishing profile snapshots failed', { error })) : undefined;
  const apply: ApplyDeps = { redis: deps.redis, keys: deps.keys, identityKeys: deps.identityKeys, topics, seenTtlSeconds: deps.seenTtlSeconds, experiments: deps.experiments ?? [] };
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topics.eventsByUser, topics.products, topics.inventory, topics.sessions], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: AGGREGATE_PARTITIONS_AT_ONCE,
      eachBatch: async ({ batch, isRunning, isStale, heartbeat }: EachBatchPayload) => {
        if (!isRunning() || isStale()) return;
        const outcome = await applyBatch(apply, {
          topic: batch.topic,
          partition: batch.partition,
          messages: batch.messages.map((m) => ({ offset: m.offset, key: m.key?.toString('utf8') ?? null, value: m.value?.toString('utf8') ?? null })),
        });
        if (outcome.unreadable > 0) logger.warn('skipped unreadable records', { topic: batch.topic, partition: batch.partition, count: outcome.unreadable });
        deps.onBatch?.({ topic: batch.topic, partition: batch.partition }, outcome);
        if (outcome.profiles !== undefined) snapshots?.changed(outcome.profiles);
        await heartbeat();
      },
    });
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }

  return {
    joined: () => joined,
    stop: async () => {
      joined = false;
      await consumer.disconnect();
      // Before the snapshots' producer closes (the identity stage stops after this consumer).
      await snapshots?.flush();
    },
  };
}

async function seekToStored(consumer: Consumer, deps: ConsumerDeps, assignment: Record<string, number[]>): Promise<void> {
  const wanted = Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
  if (wanted.length === 0) return;
  const stored = await deps.redis.mGet(wanted.map(({ topic, partition }) => deps.keys.offset(topic, partition)));
  wanted.forEach(({ topic, partition }, i) => {
    const offset = stored[i];
    if (typeof offset === 'string') consumer.seek({ topic, partition, offset });
  });
}

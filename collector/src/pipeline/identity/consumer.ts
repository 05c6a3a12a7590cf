/**
 * The identity stage's consumer group (`<PIPELINE_GROUP>-identity`) on
 * `sf.events`. Like the aggregates consumer, its offsets live in Redis with its
 * state (never committed to Kafka), and on every assignment it seeks to them.
 * A partition's batches are handled one after another (partitions side by side, their
 * sends one at a time: ../send.ts), so the records of one partition reach
 * `sf.events.by-user` in the partition's order.
 */
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '../../log.js';
import type { StoreClient } from '../../store/client.js';
import type { IdentityKeys } from '../../store/identity-keys.js';
import { PARTITIONS_AT_ONCE, type PipelineConsumer } from '../consumer.js';
import { applyIdentityBatch, type IdentityApplyDeps, type IdentityOutcome, type SendRecords } from './apply.js';

export interface IdentityConsumerDeps {
  kafka: Kafka;
  groupId: string;
  topics: IdentityApplyDeps['topics'];
  /** A connection of its own: WATCH belongs to the connection. */
  redis: StoreClient;
  keys: IdentityKeys;
  send: SendRecords;
  logger: Logger;
  onBatch?: (batch: { topic: string; partition: number }, outcome: IdentityOutcome) => void;
  /** Told when the consumer crashed and kafkajs will not restart it: the stage is dead, and the process should say so. */
  onFatal?: (error: Error) => void;
}

export async function startIdentityConsumer(deps: IdentityConsumerDeps): Promise<PipelineConsumer> {
  const { kafka, topics, logger } = deps;
  const consumer = kafka.consumer({ groupId: deps.groupId, allowAutoTopicCreation: false, sessionTimeout: 10_000, heartbeatInterval: 3_000 });
  let joined = false;
  const { GROUP_JOIN, CRASH, STOP, DISCONNECT, REBALANCING } = consumer.events;
  consumer.on(GROUP_JOIN, ({ payload }) => {
    joined = true;
    logger.info('identity stage joined its consumer group', { groupId: payload.groupId, assignment: payload.memberAssignment });
    seekToStored(consumer, deps, payload.memberAssignment).catch((error: unknown) => {
      logger.warn('identity stage: seeking to the offsets stored in Redis failed; records already applied will be skipped instead', { error });
    });
  });
  consumer.on(REBALANCING, () => (joined = false));
  consumer.on(STOP, () => (joined = false));
  consumer.on(DISCONNECT, () => (joined = false));
  consumer.on(CRASH, ({ payload }) => {
    joined = false;
    logger.error('identity stage consumer crashed', { error: payload.error, restart: payload.restart });
    if (!payload.restart) deps.onFatal?.(payload.error);
  });

  const apply: IdentityApplyDeps = { redis: deps.redis, keys: deps.keys, topics, send: deps.send };
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topics.events], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: PARTITIONS_AT_ONCE,
      eachBatch: async ({ batch, isRunning, isStale, heartbeat }: EachBatchPayload) => {
        if (!isRunning() || isStale()) return;
        const outcome = await applyIdentityBatch(apply, {
          topic: batch.topic,
          partition: batch.partition,
          messages: batch.messages.map((m) => ({ offset: m.offset, key: m.key?.toString('utf8') ?? null, value: m.value?.toString('utf8') ?? null })),
        });
        if (outcome.unreadable > 0) logger.warn('identity stage skipped unreadable records', { topic: batch.topic, partition: batch.partition, count: outcome.unreadable });
        deps.onBatch?.({ topic: batch.topic, partition: batch.partition }, outcome);
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
    },
  };
}

async function seekToStored(consumer: Consumer, deps: IdentityConsumerDeps, assignment: Record<string, number[]>): Promise<void> {
  const wanted = Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
  if (wanted.length === 0) return;
  const stored = await deps.redis.mGet(wanted.map(({ topic, partition }) => deps.keys.offset(topic, partition)));
  wanted.forEach(({ topic, partition }, i) => {
    const offset = stored[i];
    if (typeof offset === 'string') consumer.seek({ topic, partition, offset });
  });
}

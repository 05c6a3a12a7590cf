/**
 * The sessions stage's kafkajs consumer group on the events topic, with
 * offsets in Redis beside the sessions (apply.ts) and never committed to
 * Kafka, as in the aggregates stage (../consumer.ts). It also tells which
 * partitions this instance owns now: the ticker works only on those, and on
 * none while the group rebalances.
 */
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '../../log.js';
import type { StoreClient } from '../../store/client.js';
import type { BatchOutcome } from '../apply.js';
import { PARTITIONS_AT_ONCE } from '../consumer.js';
import { applySessionBatch, type SessionApplyDeps } from './apply.js';
import type { SessionKeys } from './keys.js';

export interface SessionConsumerDeps {
  kafka: Kafka;
  groupId: string;
  eventsTopic: string;
  /** A connection of its own: WATCH belongs to the connection. */
  redis: StoreClient;
  keys: SessionKeys;
  seenTtlSeconds: number;
  snapshotIntervalMs: number;
  logger: Logger;
  onBatch?: (batch: { topic: string; partition: number }, outcome: BatchOutcome) => void;
  /** Told when the consumer crashed and kafkajs will not restart it: the stage is dead, and the process should say so. */
  onFatal?: (error: Error) => void;
}

export interface SessionConsumer {
  joined(): boolean;
  /** The events topic's partitions assigned to this instance; none while not a settled member. */
  owned(): readonly number[];
  stop(): Promise<void>;
}

export async function startSessionConsumer(deps: SessionConsumerDeps): Promise<SessionConsumer> {
  const { kafka, eventsTopic, logger } = deps;
  const consumer = kafka.consumer({ groupId: deps.groupId, allowAutoTopicCreation: false, sessionTimeout: 10_000, heartbeatInterval: 3_000 });
  let owned: readonly number[] = [];
  // A member may own no partition (more instances than partitions) and still be a settled member.
  let member = false;
  const leave = () => {
    member = false;
    owned = [];
  };
  const { GROUP_JOIN, CRASH, STOP, DISCONNECT, REBALANCING } = consumer.events;
  consumer.on(GROUP_JOIN, ({ payload }) => {
    owned = [...(payload.memberAssignment[eventsTopic] ?? [])];
    member = true;
    logger.info('sessions stage joined its consumer group', { groupId: payload.groupId, partitions: owned });
    seekToStored(consumer, deps, owned).catch((error: unknown) => {
      logger.warn('seeking to the offsets stored in Redis failed; records already applied will be skipped instead', { error });
    });
  });
  consumer.on(REBALANCING, leave);
  consumer.on(STOP, leave);
  consumer.on(DISCONNECT, leave);
  consumer.on(CRASH, ({ payload }) => {
    leave();
    logger.error('sessions consumer crashed', { error: payload.error, restart: payload.restart });
    if (!payload.restart) deps.onFatal?.(payload.error);
  });

  const apply: SessionApplyDeps = { redis: deps.redis, keys: deps.keys, seenTtlSeconds: deps.seenTtlSeconds, snapshotIntervalMs: deps.snapshotIntervalMs };
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [eventsTopic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: PARTITIONS_AT_ONCE,
      eachBatch: async ({ batch, isRunning, isStale, heartbeat }: EachBatchPayload) => {
        if (!isRunning() || isStale()) return;
        const outcome = await applySessionBatch(apply, {
          topic: batch.topic,
          partition: batch.partition,
          messages: batch.messages.map((m) => ({ offset: m.offset, key: m.key?.toString('utf8') ?? null, value: m.value?.toString('utf8') ?? null })),
        });
        if (outcome.unreadable > 0) logger.warn('sessions stage skipped unreadable records', { topic: batch.topic, partition: batch.partition, count: outcome.unreadable });
        deps.onBatch?.({ topic: batch.topic, partition: batch.partition }, outcome);
        await heartbeat();
      },
    });
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }

  return {
    joined: () => member,
    owned: () => owned,
    stop: async () => {
      leave();
      await consumer.disconnect();
    },
  };
}

async function seekToStored(consumer: Consumer, deps: SessionConsumerDeps, partitions: readonly number[]): Promise<void> {
  if (partitions.length === 0) return;
  const stored = await deps.redis.mGet(partitions.map((p) => deps.keys.offset(deps.eventsTopic, p)));
  partitions.forEach((partition, i) => {
    const offset = stored[i];
    if (typeof offset === 'string') consumer.seek({ topic: deps.eventsTopic, partition, offset });
  });
}

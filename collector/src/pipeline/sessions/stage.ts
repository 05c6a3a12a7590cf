/**
 * The live-sessions stage of a pipeline instance: its consumer group
 * `<group>-sessions` folds the events into open sessions in Redis, and its
 * ticker emits their snapshots to the compacted sessions topic on the wall
 * clock (and the closing ones to their person's by-user partition). Two Redis
 * connections of its own, so folds and ticks do not queue behind each other.
 */
import type { Kafka } from 'kafkajs';
import { createProducer } from '../../kafka/producer.js';
import type { Logger } from '../../log.js';
import { createStoreClient, type StoreClient } from '../../store/client.js';
import type { BatchOutcome } from '../apply.js';
import type { PipelineMetrics } from '../metrics.js';
import { PARTITIONS_AT_ONCE, startStageConsumer, type StageConsumer } from '../stage-consumer.js';
import { applySessionBatch } from './apply.js';
import { sessionKeys } from './keys.js';
import type { StateLayout } from '../../store/layout.js';
import type { SessionSnapshot } from './snapshot.js';
import { SessionTicker, type PartitionOffsets } from './ticker.js';
import { producerSendRecords } from '../send.js';
import type { StateBounds } from '../../store/bounds.js';
import type { RetryBackoff } from '../partition-stops.js';
import type { ErasureMarks } from '../../erasure/marks.js';

/** How often the ticker looks; a snapshot is at most this late, a closing one about twice this (applied-through.ts). */
const TICK_MS = 1_000;

export interface SessionStageSettings {
  redisUrl: string;
  /** The topics' partitions: which partition owns what (../../store/layout.ts). */
  layout: StateLayout;
  /** The pipeline's group id; the stage's group is `<groupId>-sessions`. */
  groupId: string;
  dedupeTtlSeconds: number;
  snapshotIntervalMs: number;
  sessionGapMs: number;
  /** How long a session's state and a device's index are kept (store/bounds.ts). */
  bounds: StateBounds;
  /** Erasure markers (../../erasure/marks.ts): events of an erased person are not folded in. */
  marks: ErasureMarks;
  /** Where its batches are counted (`/metrics`); none in tests that do not look. */
  metrics?: PipelineMetrics;
  /** How long a partition whose batch failed waits before it is tried again (../partition-stops.ts). */
  retryBackoff?: RetryBackoff;
  /** How often the stored offsets are compared with the ones the stage stored last (../stage-consumer.ts). */
  storeCheckMs?: number;
}

export interface SessionStageHooks {
  onSessionBatch?: (batch: { topic: string; partition: number }, outcome: BatchOutcome) => void;
  onSessionSnapshots?: (snapshots: readonly SessionSnapshot[]) => void;
  /** Told when the consumer crashed and kafkajs will not restart it: the stage is dead, and the process should say so. */
  onFatal?: (error: Error) => void;
}

export interface SessionStage {
  joined(): boolean;
  /** Stops the ticker (after its tick in progress), leaves the group, closes what it opened. */
  stop(): Promise<void>;
}

export async function startSessionStage(kafka: Kafka, settings: SessionStageSettings, logger: Logger, hooks: SessionStageHooks = {}): Promise<SessionStage> {
  const { layout } = settings;
  const { topics } = layout;
  const folding = createStoreClient(settings.redisUrl, logger);
  const ticking = createStoreClient(settings.redisUrl, logger);
  const producer = createProducer(kafka);
  const admin = kafka.admin();
  let consumer: StageConsumer | undefined;
  const closeAll = async () => {
    await consumer?.stop().catch((error: unknown) => logger.warn('the sessions stage failed to leave its group', { error }));
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    await Promise.allSettled([quit(folding), quit(ticking)]);
  };

  try {
    await Promise.all([folding.connect(), ticking.connect(), producer.connect(), admin.connect()]);
    const apply = { redis: folding, prefix: layout.prefix, owners: layout.owners.events, marks: settings.marks, seenTtlSeconds: settings.dedupeTtlSeconds, snapshotIntervalMs: settings.snapshotIntervalMs, bounds: settings.bounds };
    consumer = await startStageConsumer({
      kafka,
      stage: 'sessions',
      groupId: `${settings.groupId}-sessions`,
      topics: [topics.events],
      offsetKey: (topic, partition) => sessionKeys(layout.prefix, topic, partition).offset,
      redis: folding,
      partitionsAtOnce: PARTITIONS_AT_ONCE,
      apply: (batch) => applySessionBatch(apply, batch),
      logger,
      ...(settings.metrics ? { metrics: settings.metrics } : {}),
      ...(settings.retryBackoff ? { retryBackoff: settings.retryBackoff } : {}),
      ...(settings.storeCheckMs ? { storeCheckMs: settings.storeCheckMs } : {}),
      ...(hooks.onSessionBatch ? { onBatch: hooks.onSessionBatch } : {}),
      ...(hooks.onFatal ? { onFatal: hooks.onFatal } : {}),
    });
  } catch (error) {
    await closeAll();
    throw error;
  }
  const owner = consumer;
  const sendRecords = producerSendRecords(producer);

  const ticker = new SessionTicker({
    redis: ticking,
    prefix: layout.prefix,
    eventsTopic: topics.events,
    byUserTopic: topics.eventsByUser,
    sessionsTopic: topics.sessions,
    owned: () => owner.owned(topics.events),
    partitionOffsets: async () => {
      const offsets = await admin.fetchTopicOffsets(topics.events);
      return new Map<number, PartitionOffsets>(offsets.map((o) => [o.partition, { low: BigInt(o.low), high: BigInt(o.high) }]));
    },
    // Many sessions can fall due in one tick: sent in requests the broker takes (send.ts).
    send: (records) => sendRecords(records),
    clock: () => Date.now(),
    gapMs: settings.sessionGapMs,
    snapshotIntervalMs: settings.snapshotIntervalMs,
    closedTtlSeconds: settings.dedupeTtlSeconds,
    tickMs: Math.min(TICK_MS, settings.snapshotIntervalMs),
    logger,
    ...(hooks.onSessionSnapshots ? { onSnapshots: hooks.onSessionSnapshots } : {}),
  });
  ticker.start();

  let stopping: Promise<void> | undefined;
  return {
    joined: () => owner.joined(),
    stop: () =>
      (stopping ??= (async () => {
        await ticker.stop();
        await closeAll();
      })()),
  };
}

async function quit(client: StoreClient): Promise<void> {
  if (!client.isOpen) return;
  await client.close().catch(() => client.destroy());
}

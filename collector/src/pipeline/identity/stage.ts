/**
 * The identity stage of a pipeline instance: its consumer group
 * `<group>-identity` on `sf.events` keeps the identity graph and re-keys every
 * event to `sf.events.by-user`. It also lends the aggregates consumer the
 * profile snapshot publisher (`sf.profiles`). Each of the two sends through a
 * producer of its own: kafkajs' idempotent producer wants one send in flight.
 * A Redis connection of its own, so its batches do not queue behind the
 * aggregates' on one socket.
 */
import type { Kafka } from 'kafkajs';
import { createProducer } from '../../kafka/producer.js';
import type { Logger } from '../../log.js';
import { createStoreClient } from '../../store/client.js';
import { identityKeys } from '../../store/identity-keys.js';
import type { StateLayout } from '../../store/layout.js';
import type { PipelineMetrics } from '../metrics.js';
import { PARTITIONS_AT_ONCE, startStageConsumer, type StageConsumer } from '../stage-consumer.js';
import { applyIdentityBatch, type IdentityOutcome } from './apply.js';
import { PREFIX_TTL_S } from './plan.js';
import { profileSnapshotPublisher, type PublishProfiles } from './profile-snapshots.js';
import { oneAtATime, producerSendRecords } from '../send.js';
import type { StateBounds } from '../../store/bounds.js';
import type { RetryBackoff } from '../partition-stops.js';
import type { ErasureMarks } from '../../erasure/marks.js';

export interface IdentityStageSettings {
  redisUrl: string;
  /** The topics' partitions: which partition owns what (../../store/layout.ts). */
  layout: StateLayout;
  /** The pipeline's group id; the stage's group is `<groupId>-identity`. */
  groupId: string;
  /** The graph's links and device sets live as long as user profiles (store/bounds.ts). */
  bounds: StateBounds;
  /** Erasure markers (../../erasure/marks.ts): events of an erased person are dropped, links and snapshots sent meanwhile tombstoned. */
  marks: ErasureMarks;
  /** `PIPELINE_DEDUPE_TTL_S`: how long the stage remembers an event it re-keyed, so a copy of it is dropped (plan.ts). */
  dedupeTtlSeconds: number;
  /** Where its batches are counted (`/metrics`); none in tests that do not look. */
  metrics?: PipelineMetrics;
  /** How long a partition whose batch failed waits before it is tried again (../partition-stops.ts). */
  retryBackoff?: RetryBackoff;
  /** How often the stored offsets are compared with the ones the stage stored last (../stage-consumer.ts). */
  storeCheckMs?: number;
}

export interface IdentityStageHooks {
  onIdentityBatch?: (batch: { topic: string; partition: number }, outcome: IdentityOutcome) => void;
  /** Told when the consumer crashed and kafkajs will not restart it: the stage is dead, and the process should say so. */
  onFatal?: (error: Error) => void;
}

export interface IdentityStage {
  joined(): boolean;
  /** For the aggregates consumer: publishes the snapshots of the profiles a committed batch changed. */
  publishProfiles: PublishProfiles;
  /** Leaves the group, closes what it opened. */
  stop(): Promise<void>;
}

export async function startIdentityStage(kafka: Kafka, settings: IdentityStageSettings, logger: Logger, hooks: IdentityStageHooks = {}): Promise<IdentityStage> {
  const { layout } = settings;
  const { topics } = layout;
  const redis = createStoreClient(settings.redisUrl, logger);
  const snapshotsRedis = createStoreClient(settings.redisUrl, logger);
  const rekeying = createProducer(kafka);
  const snapshots = createProducer(kafka);
  let consumer: StageConsumer | undefined;
  const closeAll = async () => {
    await consumer?.stop().catch((error: unknown) => logger.warn('the identity stage failed to leave its group', { error }));
    await Promise.allSettled([rekeying.disconnect(), snapshots.disconnect()]);
    await Promise.allSettled([redis, snapshotsRedis].map((c) => (c.isOpen ? c.close() : Promise.resolve(c.destroy()))));
  };

  try {
    await Promise.all([redis.connect(), snapshotsRedis.connect(), rekeying.connect(), snapshots.connect()]);
    const apply = {
      redis,
      prefix: layout.prefix,
      owners: layout.owners.events,
      marks: settings.marks,
      topics,
      send: oneAtATime(producerSendRecords(rekeying)),
      linkTtlSeconds: settings.bounds.userProfileTtlSeconds,
      prefixTtlSeconds: Math.min(PREFIX_TTL_S, settings.bounds.sessionTtlSeconds),
      seenTtlSeconds: settings.dedupeTtlSeconds,
    };
    // Partitions side by side, each one's sends one at a time (../send.ts): a partition's records reach sf.events.by-user in its order.
    consumer = await startStageConsumer({
      kafka,
      stage: 'identity',
      groupId: `${settings.groupId}-identity`,
      topics: [topics.events],
      offsetKey: (topic, partition) => identityKeys(layout.prefix, topic, partition).offset,
      redis,
      partitionsAtOnce: PARTITIONS_AT_ONCE,
      apply: (batch) => applyIdentityBatch(apply, batch),
      logger,
      ...(settings.metrics ? { metrics: settings.metrics } : {}),
      ...(settings.retryBackoff ? { retryBackoff: settings.retryBackoff } : {}),
      ...(settings.storeCheckMs ? { storeCheckMs: settings.storeCheckMs } : {}),
      ...(hooks.onIdentityBatch ? { onBatch: hooks.onIdentityBatch } : {}),
      ...(hooks.onFatal ? { onFatal: hooks.onFatal } : {}),
    });
  } catch (error) {
    await closeAll();
    throw error;
  }
  const running = consumer;
  const publishProfiles = profileSnapshotPublisher({
    redis: snapshotsRedis,
    layout,
    marks: settings.marks,
    topic: topics.profiles,
    // Batches of several partitions publish at once: one send in flight per producer.
    send: oneAtATime(producerSendRecords(snapshots)),
    now: Date.now,
  });
  return { joined: () => running.joined(), publishProfiles, stop: closeAll };
}

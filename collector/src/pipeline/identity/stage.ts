/**
 * The identity stage of a pipeline instance: fed the `sf.events` batches
 * (with the sessions stage, by one consumer: ../events-stages.ts), it keeps
 * the identity graph and re-keys every event to `sf.events.by-user`. It also
 * lends the aggregates consumer the profile snapshot publisher
 * (`sf.profiles`). Each of the two sends through a producer of its own:
 * kafkajs' idempotent producer wants one send in flight. A Redis connection
 * of its own, so its batches do not queue behind the aggregates' on one socket.
 */
import type { Kafka } from 'kafkajs';
import { createProducer } from '../../kafka/producer.js';
import type { Logger } from '../../log.js';
import { createStoreClient } from '../../store/client.js';
import { identityKeys } from '../../store/identity-keys.js';
import type { StateLayout } from '../../store/layout.js';
import { fed, type FedStage } from '../stage-consumer.js';
import type { BatchOutcome } from '../apply.js';
import { applyIdentityBatch, type IdentityOutcome } from './apply.js';
import { PREFIX_TTL_S } from './plan.js';
import { profileSnapshotPublisher, type PublishProfiles } from './profile-snapshots.js';
import { oneAtATime, producerSendRecords } from '../send.js';
import type { StateBounds } from '../../store/bounds.js';
import type { ErasureMarks } from '../../erasure/marks.js';

export interface IdentityStageSettings {
  redisUrl: string;
  /** The topics' partitions: which partition owns what (../../store/layout.ts). */
  layout: StateLayout;
  /** The graph's links and device sets live as long as user profiles (store/bounds.ts). */
  bounds: StateBounds;
  /** Erasure markers (../../erasure/marks.ts): events of an erased person are dropped, links and snapshots sent meanwhile tombstoned. */
  marks: ErasureMarks;
  /** `PIPELINE_DEDUPE_TTL_S`: how long the stage remembers an event it re-keyed, so a copy of it is dropped (plan.ts). */
  dedupeTtlSeconds: number;
}

export interface IdentityStageHooks {
  onIdentityBatch?: (batch: { topic: string; partition: number }, outcome: IdentityOutcome) => void;
}

export interface IdentityStage {
  /** What a consumer of the events topic feeds (../stage-consumer.ts). */
  fed: FedStage<BatchOutcome>;
  /** For the aggregates consumer: publishes the snapshots of the profiles a committed batch changed. */
  publishProfiles: PublishProfiles;
  /** Closes what it opened; after its consumer stopped. */
  close(): Promise<void>;
}

/** Opens the stage's connections and producers; a consumer of the events topic then feeds it (../events-stages.ts). */
export async function openIdentityStage(kafka: Kafka, settings: IdentityStageSettings, logger: Logger, hooks: IdentityStageHooks = {}): Promise<IdentityStage> {
  const { layout } = settings;
  const { topics } = layout;
  const redis = createStoreClient(settings.redisUrl, logger);
  const snapshotsRedis = createStoreClient(settings.redisUrl, logger);
  const rekeying = createProducer(kafka);
  const snapshots = createProducer(kafka);
  const closeAll = async () => {
    await Promise.allSettled([rekeying.disconnect(), snapshots.disconnect()]);
    await Promise.allSettled([redis, snapshotsRedis].map((c) => (c.isOpen ? c.close() : Promise.resolve(c.destroy()))));
  };

  let stage: FedStage<BatchOutcome>;
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
    stage = fed<IdentityOutcome>({
      stage: 'identity',
      offsetKey: (topic, partition) => identityKeys(layout.prefix, topic, partition).offset,
      apply: (batch) => applyIdentityBatch(apply, batch),
      ...(hooks.onIdentityBatch ? { onBatch: hooks.onIdentityBatch } : {}),
    });
  } catch (error) {
    await closeAll();
    throw error;
  }
  const publishProfiles = profileSnapshotPublisher({
    redis: snapshotsRedis,
    layout,
    marks: settings.marks,
    topic: topics.profiles,
    // Batches of several partitions publish at once: one send in flight per producer.
    send: oneAtATime(producerSendRecords(snapshots)),
    now: Date.now,
  });
  return { fed: stage, publishProfiles, close: closeAll };
}

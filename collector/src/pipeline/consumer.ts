/**
 * The aggregates stage's consumer group (the pipeline's own group id) on the
 * by-user records (events and closed sessions), products and inventory topics (stage-consumer.ts
 * for what every stage's consumer does). What it adds: the profiles a batch
 * changed get their snapshots published after it (coalesced, not awaited by
 * the next batch).
 */
import type { Kafka } from 'kafkajs';
import type { Logger } from '../log.js';
import type { StoreClient } from '../store/client.js';
import { storeKeys } from '../store/keys.js';
import type { StateLayout } from '../store/layout.js';
import { applyBatch, type ApplyDeps, type BatchOutcome } from './apply.js';
import { coalescedSnapshots } from './coalesced-snapshots.js';
import type { ExperimentSetup } from './experiments/config.js';
import type { ErasureMarks } from '../erasure/marks.js';
import type { PublishProfiles } from './identity/profile-snapshots.js';
import type { PipelineMetrics } from './metrics.js';
import { fed, startStageConsumer } from './stage-consumer.js';
import type { StateBounds } from '../store/bounds.js';
import type { RetryBackoff } from './partition-stops.js';

/**
 * One partition at a time. Nothing the stage keeps depends on the order
 * between partitions any more (a person's records share one partition of the
 * by-user topic; the rest are sums, unions and each record's own stamped
 * session source), so it could take them side by side like the other stages;
 * measured, that gained nothing here (the process, not this stage, is the
 * limit): over five benchmark runs each, medians of 10,731 events/s and a
 * Kafka → Redis p99 of 108 ms at one, 10,193 events/s and 133 ms at three,
 * both within this machine's spread between runs, so the simpler one stays.
 */
const AGGREGATE_PARTITIONS_AT_ONCE = 1;

export interface ConsumerDeps {
  kafka: Kafka;
  groupId: string;
  /** The topics' partitions: which partition owns what (../store/layout.ts). */
  layout: StateLayout;
  redis: StoreClient;
  /** Erasure markers (../erasure/marks.ts). */
  marks: ErasureMarks;
  /** Publishes the snapshots of the profiles a committed batch changed (identity/profile-snapshots.ts). */
  publishProfiles?: PublishProfiles;
  seenTtlSeconds: number;
  /** The experiments whose exposures and conversions are counted. */
  experiments?: readonly ExperimentSetup[];
  /** How long and how much state is kept (store/bounds.ts); the defaults when absent. */
  bounds?: StateBounds;
  logger: Logger;
  metrics?: PipelineMetrics;
  /** How long a partition whose batch failed waits before it is tried again (partition-stops.ts). */
  retryBackoff?: RetryBackoff;
  /** How often the stored offsets are compared with the ones the stage stored last (stage-consumer.ts). */
  storeCheckMs?: number;
  /** Told after each applied batch (tests). */
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
  const { logger, layout } = deps;
  const { topics } = layout;
  // Published after the batch, not awaited by it: the next batch (and the next event's latency) does not wait for Kafka.
  const snapshots = deps.publishProfiles ? coalescedSnapshots(deps.publishProfiles, (error) => logger.warn('publishing profile snapshots failed', { error })) : undefined;
  const apply: ApplyDeps = {
    redis: deps.redis,
    layout,
    marks: deps.marks,
    seenTtlSeconds: deps.seenTtlSeconds,
    experiments: deps.experiments ?? [],
    ...(deps.bounds === undefined ? {} : { bounds: deps.bounds }),
  };
  const consumer = await startStageConsumer({
    kafka: deps.kafka,
    groupId: deps.groupId,
    topics: [topics.eventsByUser, topics.products, topics.inventory],
    stages: [
      fed({
        stage: 'aggregates',
        offsetKey: (topic, partition) => storeKeys(layout.prefix, topic, partition).offset,
        apply: (batch) => applyBatch(apply, batch),
        onBatch: (batch, outcome) => {
          deps.onBatch?.(batch, outcome);
          if (outcome.profiles !== undefined) snapshots?.changed(outcome.profiles);
        },
      }),
    ],
    redis: deps.redis,
    partitionsAtOnce: AGGREGATE_PARTITIONS_AT_ONCE,
    logger,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.retryBackoff ? { retryBackoff: deps.retryBackoff } : {}),
    ...(deps.storeCheckMs ? { storeCheckMs: deps.storeCheckMs } : {}),
    ...(deps.onFatal ? { onFatal: deps.onFatal } : {}),
  });
  return {
    joined: () => consumer.joined(),
    stop: async () => {
      await consumer.stop();
      // Before the snapshots' producer closes (the identity stage stops after this consumer).
      await snapshots?.flush();
    },
  };
}

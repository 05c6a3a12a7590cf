/**
 * The live-sessions stage of a pipeline instance: fed the `sf.events` batches
 * (with the identity stage, by one consumer: ../events-stages.ts), it folds
 * the events into open sessions in Redis, and its ticker emits their snapshots to the compacted sessions topic on the wall
 * clock (and the closing ones to their person's by-user partition). Two Redis
 * connections of its own, so folds and ticks do not queue behind each other.
 */
import type { Kafka } from 'kafkajs';
import { createProducer } from '../../kafka/producer.js';
import type { Logger } from '../../log.js';
import { createStoreClient, type StoreClient } from '../../store/client.js';
import type { BatchOutcome } from '../apply.js';
import { fed, type FedStage } from '../stage-consumer.js';
import { applySessionBatch } from './apply.js';
import { sessionKeys } from './keys.js';
import type { StateLayout } from '../../store/layout.js';
import type { SessionSnapshot } from './snapshot.js';
import { SessionTicker, type PartitionOffsets } from './ticker.js';
import { producerSendRecords } from '../send.js';
import type { StateBounds } from '../../store/bounds.js';
import type { ErasureMarks } from '../../erasure/marks.js';

/** How often the ticker looks; a snapshot is at most this late, a closing one about twice this (applied-through.ts). */
const TICK_MS = 1_000;

export interface SessionStageSettings {
  redisUrl: string;
  /** The topics' partitions: which partition owns what (../../store/layout.ts). */
  layout: StateLayout;
  dedupeTtlSeconds: number;
  snapshotIntervalMs: number;
  sessionGapMs: number;
  /** How long a session's state and a device's index are kept (store/bounds.ts). */
  bounds: StateBounds;
  /** Erasure markers (../../erasure/marks.ts): events of an erased person are not folded in. */
  marks: ErasureMarks;
}

export interface SessionStageHooks {
  onSessionBatch?: (batch: { topic: string; partition: number }, outcome: BatchOutcome) => void;
  onSessionSnapshots?: (snapshots: readonly SessionSnapshot[]) => void;
}

export interface SessionStage {
  /** What a consumer of the events topic feeds (../stage-consumer.ts). */
  fed: FedStage<BatchOutcome>;
  /** Starts the ticker on the partitions of the events topic this instance owns (its consumer's assignment). */
  startTicker(owned: () => readonly number[]): void;
  /** Stops the ticker (after its tick in progress); its consumer stops after it. */
  stopTicker(): Promise<void>;
  /** Closes what it opened; after its consumer stopped. */
  close(): Promise<void>;
}

/** Opens the stage's connections and producer; a consumer of the events topic then feeds it (../events-stages.ts). */
export async function openSessionStage(kafka: Kafka, settings: SessionStageSettings, logger: Logger, hooks: SessionStageHooks = {}): Promise<SessionStage> {
  const { layout } = settings;
  const { topics } = layout;
  const folding = createStoreClient(settings.redisUrl, logger);
  const ticking = createStoreClient(settings.redisUrl, logger);
  const producer = createProducer(kafka);
  const admin = kafka.admin();
  const closeAll = async () => {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    await Promise.allSettled([quit(folding), quit(ticking)]);
  };

  let stage: FedStage<BatchOutcome>;
  try {
    await Promise.all([folding.connect(), ticking.connect(), producer.connect(), admin.connect()]);
    const apply = { redis: folding, prefix: layout.prefix, owners: layout.owners.events, marks: settings.marks, seenTtlSeconds: settings.dedupeTtlSeconds, snapshotIntervalMs: settings.snapshotIntervalMs, bounds: settings.bounds };
    stage = fed<BatchOutcome>({
      stage: 'sessions',
      offsetKey: (topic, partition) => sessionKeys(layout.prefix, topic, partition).offset,
      apply: (batch) => applySessionBatch(apply, batch),
      ...(hooks.onSessionBatch ? { onBatch: hooks.onSessionBatch } : {}),
    });
  } catch (error) {
    await closeAll();
    throw error;
  }
  const sendRecords = producerSendRecords(producer);
  let ticker: SessionTicker | undefined;
  const startTicker = (owned: () => readonly number[]) => {
    ticker = new SessionTicker({
      redis: ticking,
      prefix: layout.prefix,
      eventsTopic: topics.events,
      byUserTopic: topics.eventsByUser,
      sessionsTopic: topics.sessions,
      owned,
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
  };

  return {
    fed: stage,
    startTicker,
    stopTicker: async () => {
      await ticker?.stop();
    },
    close: closeAll,
  };
}

async function quit(client: StoreClient): Promise<void> {
  if (!client.isOpen) return;
  await client.close().catch(() => client.destroy());
}

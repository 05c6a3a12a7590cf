/**
 * The stages that read the events topic, identity and sessions, fed by ONE
 * consumer group (`<group>-events`): each batch of `sf.events` is fetched,
 * decoded and parsed once (./event-record.ts's `eventsOf`) and applied by both,
 * each exactly once on its own offsets, stored in Redis with its own state
 * (./stage-consumer.ts for how a stage that failed waits while the other goes on).
 * Before, each stage had a group of its own, and every event was fetched,
 * decoded and parsed twice in the process.
 */
import type { Kafka } from 'kafkajs';
import type { Logger } from '../log.js';
import type { StoreClient } from '../store/client.js';
import type { StateLayout } from '../store/layout.js';
import { openIdentityStage, type IdentityStageHooks, type IdentityStageSettings } from './identity/stage.js';
import type { PublishProfiles } from './identity/profile-snapshots.js';
import type { PipelineMetrics } from './metrics.js';
import type { RetryBackoff } from './partition-stops.js';
import { openSessionStage, type SessionStageHooks, type SessionStageSettings } from './sessions/stage.js';
import { PARTITIONS_AT_ONCE, startStageConsumer, type StageConsumer } from './stage-consumer.js';

export interface EventsStagesSettings extends IdentityStageSettings, SessionStageSettings {
  layout: StateLayout;
  /** The pipeline's group id; the events stages' group is `<groupId>-events`. */
  groupId: string;
  /** The consumer's own connection (its seeks and checks of the stored offsets). */
  redis: StoreClient;
  /** Where the batches are counted (`/metrics`); none in tests that do not look. */
  metrics?: PipelineMetrics;
  /** How long a partition whose batch failed waits before it is tried again (./partition-stops.ts). */
  retryBackoff?: RetryBackoff;
  /** How often the stored offsets are compared with the ones the stages stored last (./stage-consumer.ts). */
  storeCheckMs?: number;
}

export interface EventsStagesHooks extends IdentityStageHooks, SessionStageHooks {
  /** Told when the consumer crashed and kafkajs will not restart it: the stages are dead, and the process should say so. */
  onFatal?: (error: Error) => void;
}

export interface EventsStages {
  joined(): boolean;
  /** For the aggregates consumer: publishes the snapshots of the profiles a committed batch changed. */
  publishProfiles: PublishProfiles;
  /** Stops the ticker, leaves the group, closes what the stages opened. */
  stop(): Promise<void>;
}

export async function startEventsStages(kafka: Kafka, settings: EventsStagesSettings, logger: Logger, hooks: EventsStagesHooks = {}): Promise<EventsStages> {
  const { topics } = settings.layout;
  const identity = await openIdentityStage(kafka, settings, logger, hooks);
  const sessions = await openSessionStage(kafka, settings, logger, hooks).catch(async (error: unknown) => {
    await identity.close();
    throw error;
  });
  let consumer: StageConsumer;
  try {
    consumer = await startStageConsumer({
      kafka,
      groupId: `${settings.groupId}-events`,
      topics: [topics.events],
      stages: [identity.fed, sessions.fed],
      redis: settings.redis,
      // Partitions side by side: no WATCH ties a batch to a connection, and one partition's round trips do not hold up the others.
      partitionsAtOnce: PARTITIONS_AT_ONCE,
      logger,
      ...(settings.metrics ? { metrics: settings.metrics } : {}),
      ...(settings.retryBackoff ? { retryBackoff: settings.retryBackoff } : {}),
      ...(settings.storeCheckMs ? { storeCheckMs: settings.storeCheckMs } : {}),
      ...(hooks.onFatal ? { onFatal: hooks.onFatal } : {}),
    });
  } catch (error) {
    await Promise.allSettled([sessions.close(), identity.close()]);
    throw error;
  }
  sessions.startTicker(() => consumer.owned(topics.events));
  let stopping: Promise<void> | undefined;
  return {
    joined: () => consumer.joined(),
    publishProfiles: identity.publishProfiles,
    stop: () =>
      (stopping ??= (async () => {
        await sessions.stopTicker();
        await consumer.stop().catch((error: unknown) => logger.warn('the identity and sessions stages failed to leave their group', { error }));
        await sessions.close();
        await identity.close();
      })()),
  };
}

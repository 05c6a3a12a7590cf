/**
 * A pipeline stage's kafkajs consumer group: what the identity, sessions and
 * aggregates stages share, apart from how they apply a batch.
 *
 * Offsets live in Redis with the state they cover (each stage's apply), never
 * in Kafka: autoCommit is off and nothing commits, so where Kafka would start
 * a partition (the earliest record) is never past what Redis covers. On every
 * assignment the consumer seeks each partition to its stored offset, which
 * only saves re-reading: records below it are skipped by the apply anyway.
 * A partition's batches are applied one after another, in order; up to
 * `partitionsAtOnce` partitions side by side. A batch that fails stops its
 * partition (paused, said in the log and /metrics) until it applies, retried
 * on a backoff from the offset stored in Redis (partition-stops.ts); the other
 * partitions go on. The consumer remembers the offset it stored last for each
 * partition and, every few seconds, that the store still holds at least that
 * (applied-offsets.ts): a store that lost writes with their offset (a Redis
 * failover) sends the partition back to replay them, even when no new record
 * arrives to show it.
 */
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '../log.js';
import type { StoreClient } from '../store/client.js';
import { performance } from 'node:perf_hooks';
import type { BatchOutcome, TopicBatch } from './apply.js';
import { recordBatch, type PipelineMetrics } from './metrics.js';
import { AppliedOffsets } from './applied-offsets.js';
import { DEFAULT_RETRY_BACKOFF, PartitionStops, type RetryBackoff } from './partition-stops.js';
import { StoreBehindLogError } from './store-behind.js';

/**
 * Partitions the identity and sessions stages apply at once. A batch is one
 * script call guarded by what it read (../store/guarded-batch.ts), not a
 * WATCH tied to the connection, so batches of different partitions share a
 * connection, and one partition's Redis or Kafka round trip no longer holds
 * up the others.
 */
export const PARTITIONS_AT_ONCE = 3;

/** How often the stored offsets of partitions without new records are compared with what this process stored. */
export const STORE_CHECK_MS = 5_000;

export interface StageConsumerOptions<Outcome extends BatchOutcome> {
  kafka: Kafka;
  /** For log lines: `identity`, `sessions`, `aggregates`. */
  stage: string;
  groupId: string;
  topics: readonly string[];
  /** Where the stage keeps its next offset of a topic-partition. */
  offsetKey(topic: string, partition: number): string;
  redis: StoreClient;
  partitionsAtOnce: number;
  /** Applies one topic-partition batch exactly once in effect. */
  apply(batch: TopicBatch): Promise<Outcome>;
  logger: Logger;
  metrics?: PipelineMetrics;
  /** How long a partition whose batch failed waits before it is tried again. */
  retryBackoff?: RetryBackoff;
  /** Told after each applied batch (tests, profile snapshots). */
  onBatch?: (batch: { topic: string; partition: number }, outcome: Outcome) => void;
  /** Told when the consumer crashed and kafkajs will not restart it: the stage is dead, and the process should say so. */
  onFatal?: (error: Error) => void;
  /** How often the stored offsets are checked against what this process stored (STORE_CHECK_MS). */
  storeCheckMs?: number;
}

export interface StageConsumer {
  /** True while a settled member of the group (possibly with no partition: more instances than partitions). */
  joined(): boolean;
  /** The partitions of `topic` assigned to this instance; none while not a settled member. */
  owned(topic: string): readonly number[];
  stop(): Promise<void>;
}

export async function startStageConsumer<Outcome extends BatchOutcome>(o: StageConsumerOptions<Outcome>): Promise<StageConsumer> {
  const { logger, stage } = o;
  const consumer = o.kafka.consumer({
    groupId: o.groupId,
    allowAutoTopicCreation: false,
    // A killed instance's partitions move after 10 s instead of kafkajs' 30 s; batches take milliseconds, and each ends with a heartbeat.
    sessionTimeout: 10_000,
    heartbeatInterval: 3_000,
  });
  let assignment: Record<string, number[]> | undefined;
  const applied = new AppliedOffsets();
  // The stage's lag in time (degrade/lag-clock.ts): told what each batch shows past the offsets stored in Redis.
  const lag = o.metrics?.lagClocks.of(stage);
  /** The offsets stored in Redis when the partitions were assigned (absent: 0, nothing applied yet), read by the seek. */
  const storedAtJoin = new Map<string, bigint>();
  let seeking: Promise<void> = Promise.resolve();
  const leave = () => {
    assignment = undefined;
    // Whatever comes next starts from the stored offsets (the seek on assignment), which are the floor then.
    applied.forgetAll();
    lag?.forgetAll();
    storedAtJoin.clear();
  };
  const stops = new PartitionStops({
    stage,
    logger,
    metrics: o.metrics,
    backoff: o.retryBackoff ?? DEFAULT_RETRY_BACKOFF,
    restart: async (topic, partition, fromOffset) => {
      const stored = await o.redis.get(o.offsetKey(topic, partition));
      consumer.seek({ topic, partition, offset: stored ?? fromOffset });
      consumer.resume([{ topic, partitions: [partition] }]);
    },
  });
  const { GROUP_JOIN, CRASH, STOP, DISCONNECT, REBALANCING } = consumer.events;
  consumer.on(GROUP_JOIN, ({ payload }) => {
    assignment = payload.memberAssignment;
    logger.info(`${stage} stage joined its consumer group`, { groupId: payload.groupId, assignment: payload.memberAssignment });
    // A partition that moved away while stopped is its new owner's now, from the stored offset.
    for (const { topic, partition } of stops.keepOnly(payload.memberAssignment)) consumer.resume([{ topic, partitions: [partition] }]);
    storedAtJoin.clear();
    seeking = seekToStored(consumer, o, payload.memberAssignment, (topic, partition, offset) => storedAtJoin.set(`${topic}:${partition}`, offset)).catch((error: unknown) => {
      logger.warn(`${stage} stage: seeking to the offsets stored in Redis failed; records already applied will be skipped instead`, { error });
    });
  });
  consumer.on(REBALANCING, leave);
  consumer.on(STOP, leave);
  consumer.on(DISCONNECT, leave);
  consumer.on(CRASH, ({ payload }) => {
    leave();
    logger.error(`${stage} stage consumer crashed`, { error: payload.error, restart: payload.restart });
    if (!payload.restart) o.onFatal?.(payload.error);
  });

  /** A failed batch, or a store found behind: the partition goes back to the stored offset (Kafka's earliest when the store lost it). */
  const failed = (topic: string, partition: number, fromOffset: string, error: unknown): void => {
    applied.forget(topic, partition);
    stops.failed(topic, partition, error instanceof StoreBehindLogError ? error.resumeFrom : fromOffset, error);
  };

  // Partitions that get no new record would never show a store that went back behind them: ask it.
  let checking = false;
  const storeCheck = setInterval(() => {
    if (checking) return;
    checking = true;
    checkStoredOffsets()
      .catch(() => undefined) // The store unreachable: the batches say so, and the next check asks again.
      .finally(() => (checking = false));
  }, o.storeCheckMs ?? STORE_CHECK_MS);
  storeCheck.unref();
  const checkStoredOffsets = async (): Promise<void> => {
    // The floors as of before the read: a batch applied meanwhile only moves the store past them.
    const floors = applied.snapshot().filter((f) => !stops.isWaiting(f.topic, f.partition));
    if (floors.length === 0) return;
    const stored = await o.redis.mGet(floors.map((f) => o.offsetKey(f.topic, f.partition)));
    floors.forEach((f, i) => {
      const found = stored[i] ?? null;
      if (found !== null && BigInt(found) >= f.offset) return;
      if (applied.floor(f.topic, f.partition) === undefined) return; // Went back already (a batch found it first, or a rebalance).
      consumer.pause([{ topic: f.topic, partitions: [f.partition] }]);
      failed(f.topic, f.partition, '0', new StoreBehindLogError(f.topic, f.partition, found === null ? null : BigInt(found), f.offset));
    });
  };

  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...o.topics], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: o.partitionsAtOnce,
      eachBatch: async ({ batch, isRunning, isStale, heartbeat, pause }: EachBatchPayload) => {
        if (!isRunning() || isStale()) return;
        // Stopped: a batch fetched before the pause (or after kafkajs restarted) must not be applied past the failed one.
        if (stops.isWaiting(batch.topic, batch.partition)) {
          pause();
          return;
        }
        const started = performance.now();
        // Where applied records end: what this process stored last, else what Redis held at the assignment (the
        // first batches may come from before the seek, all of them applied already, and say nothing of the lag).
        let unappliedFrom: bigint | undefined;
        if (lag !== undefined) {
          await seeking;
          unappliedFrom = applied.floor(batch.topic, batch.partition) ?? storedAtJoin.get(`${batch.topic}:${batch.partition}`);
          // The batch's first record not applied yet is the partition's oldest unapplied one.
          const first = unappliedFrom === undefined ? undefined : batch.messages.find((m) => BigInt(m.offset) >= (unappliedFrom as bigint));
          if (first !== undefined) lag.batchStarted(batch.topic, batch.partition, Number(first.timestamp), Date.now());
        }
        let outcome: Outcome;
        try {
          outcome = await o.apply({
            topic: batch.topic,
            partition: batch.partition,
            messages: batch.messages.map((m) => ({ offset: m.offset, key: m.key?.toString('utf8') ?? null, value: m.value?.toString('utf8') ?? null })),
            appliedUpTo: applied.floor(batch.topic, batch.partition),
          });
        } catch (error) {
          // Nothing of the batch was applied, its offset did not move: stop here rather than go on past it.
          pause();
          failed(batch.topic, batch.partition, batch.firstOffset() ?? batch.messages[0]?.offset ?? '0', error);
          return;
        }
        const last = batch.lastOffset();
        // The store's offset is past the batch now (or was already, for a batch of records applied before).
        if (batch.messages.length > 0) {
          applied.stored(batch.topic, batch.partition, BigInt(last) + 1n);
          const caughtUp = Number(batch.offsetLag()) === 0;
          // A batch of records applied before tells only whether the partition's end was reached.
          if (caughtUp || (unappliedFrom !== undefined && BigInt(last) >= unappliedFrom)) {
            lag?.batchApplied(batch.topic, batch.partition, Number(batch.messages[batch.messages.length - 1]?.timestamp), caughtUp, Date.now());
          }
        }
        stops.applied(batch.topic, batch.partition);
        if (outcome.unreadable > 0) logger.warn(`${stage} stage skipped unreadable records`, { topic: batch.topic, partition: batch.partition, count: outcome.unreadable });
        if (o.metrics) recordBatch(o.metrics, stage, { topic: batch.topic, partition: batch.partition, lag: Number(batch.offsetLag()) }, outcome, (performance.now() - started) / 1000);
        o.onBatch?.({ topic: batch.topic, partition: batch.partition }, outcome);
        await heartbeat();
      },
    });
  } catch (error) {
    clearInterval(storeCheck);
    stops.close();
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }

  return {
    joined: () => assignment !== undefined,
    owned: (topic) => assignment?.[topic] ?? [],
    stop: async () => {
      leave();
      clearInterval(storeCheck);
      stops.close();
      await consumer.disconnect();
    },
  };
}

async function seekToStored(
  consumer: Consumer,
  o: Pick<StageConsumerOptions<never>, 'redis' | 'offsetKey'>,
  assignment: Record<string, number[]>,
  found: (topic: string, partition: number, stored: bigint) => void,
): Promise<void> {
  const wanted = Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
  if (wanted.length === 0) return;
  const stored = await o.redis.mGet(wanted.map(({ topic, partition }) => o.offsetKey(topic, partition)));
  wanted.forEach(({ topic, partition }, i) => {
    const offset = stored[i];
    found(topic, partition, typeof offset === 'string' ? BigInt(offset) : 0n);
    if (typeof offset === 'string') consumer.seek({ topic, partition, offset });
  });
}

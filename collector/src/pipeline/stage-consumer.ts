/**
 * A pipeline stage's kafkajs consumer group: what the identity, sessions and
 * aggregates stages share, apart from how they apply a batch. One consumer
 * may feed several stages of the same topics (the identity and sessions
 * stages both read the events topic): each batch is fetched and decoded once
 * and handed to every stage, and each stage still applies it exactly once on
 * its own offsets, its own stops and its own floors, as if it had the
 * consumer to itself (below).
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
import { recordBatch, recordKafkaToRedis, type PipelineMetrics } from './metrics.js';
import type { LagClock } from './degrade/lag-clock.js';
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

/** How long batches fetched before a seek back are dropped, waiting for those from the sought offset. */
const SOUGHT_BATCH_WAIT_MS = 5_000;

/** How often the stored offsets of partitions without new records are compared with what this process stored. */
export const STORE_CHECK_MS = 5_000;

/** One stage a consumer feeds: how it applies a batch, where it keeps its offsets. */
export interface FedStage<Outcome extends BatchOutcome = BatchOutcome> {
  /** For log lines and metrics: `identity`, `sessions`, `aggregates`. */
  stage: string;
  /** Where the stage keeps its next offset of a topic-partition. */
  offsetKey(topic: string, partition: number): string;
  /** Applies one topic-partition batch exactly once in effect. */
  apply(batch: TopicBatch): Promise<Outcome>;
  /** Told after each batch the stage applied (tests, profile snapshots). */
  onBatch?: (batch: { topic: string; partition: number }, outcome: Outcome) => void;
}

export interface StageConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  /** The stages fed by this consumer, each applying every batch of `topics` on its own offsets. */
  stages: readonly FedStage<BatchOutcome>[];
  redis: StoreClient;
  partitionsAtOnce: number;
  logger: Logger;
  metrics?: PipelineMetrics;
  /** How long a partition whose batch failed waits before it is tried again. */
  retryBackoff?: RetryBackoff;
  /** Told when the consumer crashed and kafkajs will not restart it: the stage is dead, and the process should say so. */
  onFatal?: (error: Error) => void;
  /** How often the stored offsets are checked against what this process stored (STORE_CHECK_MS). */
  storeCheckMs?: number;
}

/** A stage as a consumer feeds it: `fed` keeps the types of the stage's own outcome and hook. */
export function fed<Outcome extends BatchOutcome>(stage: FedStage<Outcome>): FedStage<BatchOutcome> {
  return stage as unknown as FedStage<BatchOutcome>;
}

export interface StageConsumer {
  /** True while a settled member of the group (possibly with no partition: more instances than partitions). */
  joined(): boolean;
  /** The partitions of `topic` assigned to this instance; none while not a settled member. */
  owned(topic: string): readonly number[];
  stop(): Promise<void>;
}

/** What the consumer keeps per stage it feeds. */
interface StageRun {
  spec: FedStage<BatchOutcome>;
  applied: AppliedOffsets;
  /** The stage's lag in time (degrade/lag-clock.ts): told what each batch shows past the offsets stored in Redis. */
  lag: LagClock | undefined;
  /** The offsets stored in Redis when the partitions were assigned (absent: 0, nothing applied yet), read by the seek. */
  storedAtJoin: Map<string, bigint>;
  stops: PartitionStops;
}

export async function startStageConsumer(o: StageConsumerOptions): Promise<StageConsumer> {
  const { logger } = o;
  if (o.stages.length === 0) throw new Error('startStageConsumer: stages is empty; a consumer feeds at least one stage');
  const name = o.stages.map((s) => s.stage).join(' and ');
  const consumer = o.kafka.consumer({
    groupId: o.groupId,
    allowAutoTopicCreation: false,
    // A killed instance's partitions move after 10 s instead of kafkajs' 30 s; batches take milliseconds, and each ends with a heartbeat.
    sessionTimeout: 10_000,
    heartbeatInterval: 3_000,
  });
  let assignment: Record<string, number[]> | undefined;
  let seeking: Promise<void> = Promise.resolve();
  /**
   * Partitions sought back after a stage's stop, while the other stage went on: kafkajs may still deliver a batch it
   * fetched before the seek, from further on, once a later fetch took the seek. The stage that stopped must not get it
   * (it would begin past its stored offset), so batches beginning past the sought offset are dropped for a moment;
   * the batches from the sought offset come next. Not for long: where Kafka no longer holds the sought offset
   * (retention), the first batch begins past it for good, and the stage's own check must say so.
   */
  const sought = new Map<string, { offset: bigint; at: number }>();
  /**
   * Where every stage fed here can start again after `failing`'s stop: the lowest offset any of them stored. A
   * stage that stored none has applied nothing of the partition: `failing` starts from `fromOffset` then (its failed
   * batch's first, as a consumer of its own did), another from Kafka's earliest (0 is out of range there).
   */
  const lowestStored = async (failing: StageRun, topic: string, partition: number, fromOffset: string): Promise<string> => {
    const stored = await o.redis.mGet(runs.map((r) => r.spec.offsetKey(topic, partition)));
    return stored
      .map((v, i) => BigInt(v ?? (runs[i] === failing ? fromOffset : '0')))
      .reduce((a, b) => (b < a ? b : a))
      .toString();
  };
  const runs: StageRun[] = o.stages.map((spec) => {
    const run: StageRun = {
      spec,
      applied: new AppliedOffsets(),
      lag: o.metrics?.lagClocks.of(spec.stage),
      storedAtJoin: new Map<string, bigint>(),
      stops: new PartitionStops({
        stage: spec.stage,
        logger,
        metrics: o.metrics,
        backoff: o.retryBackoff ?? DEFAULT_RETRY_BACKOFF,
        restart: async (topic, partition, fromOffset) => {
          const offset = await lowestStored(run, topic, partition, fromOffset);
          sought.set(`${topic}:${partition}`, { offset: BigInt(offset), at: performance.now() });
          consumer.seek({ topic, partition, offset });
          consumer.resume([{ topic, partitions: [partition] }]);
        },
      }),
    };
    return run;
  });
  const leave = () => {
    assignment = undefined;
    sought.clear();
    for (const run of runs) {
      // Whatever comes next starts from the stored offsets (the seek on assignment), which are the floor then.
      run.applied.forgetAll();
      run.lag?.forgetAll();
      run.storedAtJoin.clear();
    }
  };
  const { GROUP_JOIN, CRASH, STOP, DISCONNECT, REBALANCING } = consumer.events;
  consumer.on(GROUP_JOIN, ({ payload }) => {
    assignment = payload.memberAssignment;
    logger.info(`${name} stage joined its consumer group`, { groupId: payload.groupId, assignment: payload.memberAssignment });
    for (const run of runs) {
      // A partition that moved away while stopped is its new owner's now, from the stored offset.
      for (const { topic, partition } of run.stops.keepOnly(payload.memberAssignment)) consumer.resume([{ topic, partitions: [partition] }]);
      run.storedAtJoin.clear();
    }
    seeking = seekToStored(consumer, o.redis, runs, payload.memberAssignment).catch((error: unknown) => {
      logger.warn(`${name} stage: seeking to the offsets stored in Redis failed; records already applied will be skipped instead`, { error });
    });
  });
  consumer.on(REBALANCING, leave);
  consumer.on(STOP, leave);
  consumer.on(DISCONNECT, leave);
  consumer.on(CRASH, ({ payload }) => {
    leave();
    logger.error(`${name} stage consumer crashed`, { error: payload.error, restart: payload.restart });
    if (!payload.restart) o.onFatal?.(payload.error);
  });

  const waitingAll = (topic: string, partition: number) => runs.every((r) => r.stops.isWaiting(topic, partition));
  /** A stage's batch failed, or its store was found behind: that stage goes back to its stored offset (Kafka's earliest when the store lost it). */
  const failed = (run: StageRun, topic: string, partition: number, fromOffset: string, error: unknown): void => {
    run.applied.forget(topic, partition);
    run.stops.failed(topic, partition, error instanceof StoreBehindLogError ? error.resumeFrom : fromOffset, error);
  };

  // Partitions that get no new record would never show a store that went back behind them: ask it.
  let checking = false;
  const storeCheck = setInterval(() => {
    if (checking) return;
    checking = true;
    Promise.all(runs.map(checkStoredOffsets))
      .catch(() => undefined) // The store unreachable: the batches say so, and the next check asks again.
      .finally(() => (checking = false));
  }, o.storeCheckMs ?? STORE_CHECK_MS);
  storeCheck.unref();
  const checkStoredOffsets = async (run: StageRun): Promise<void> => {
    // The floors as of before the read: a batch applied meanwhile only moves the store past them.
    const floors = run.applied.snapshot().filter((f) => !run.stops.isWaiting(f.topic, f.partition));
    if (floors.length === 0) return;
    const stored = await o.redis.mGet(floors.map((f) => run.spec.offsetKey(f.topic, f.partition)));
    floors.forEach((f, i) => {
      const found = stored[i] ?? null;
      if (found !== null && BigInt(found) >= f.offset) return;
      if (run.applied.floor(f.topic, f.partition) === undefined) return; // Went back already (a batch found it first, or a rebalance).
      failed(run, f.topic, f.partition, '0', new StoreBehindLogError(f.topic, f.partition, found === null ? null : BigInt(found), f.offset));
      if (waitingAll(f.topic, f.partition)) consumer.pause([{ topic: f.topic, partitions: [f.partition] }]);
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
        const { topic, partition } = batch;
        // A stage stopped: a batch fetched before its stop (or after kafkajs restarted) must not be applied past the failed one.
        const active = runs.filter((r) => !r.stops.isWaiting(topic, partition));
        if (active.length === 0) {
          pause();
          return;
        }
        const started = performance.now();
        const seek = sought.get(`${topic}:${partition}`);
        if (seek !== undefined) {
          const first = BigInt(batch.firstOffset() ?? batch.messages[0]?.offset ?? '0');
          if (first > seek.offset && started - seek.at < SOUGHT_BATCH_WAIT_MS) return;
          sought.delete(`${topic}:${partition}`);
        }
        if (o.metrics) await seeking;
        // Decoded once for every stage fed.
        const messages = batch.messages.map((m) => ({ offset: m.offset, key: m.key?.toString('utf8') ?? null, value: m.value?.toString('utf8') ?? null }));
        const firstOffset = batch.firstOffset() ?? batch.messages[0]?.offset ?? '0';
        const results = await Promise.all(
          active.map(async (run) => {
            // Where applied records end: what this process stored last, else what Redis held at the assignment (the
            // first batches may come from before the seek, all of them applied already, and say nothing of the lag).
            let unappliedFrom: bigint | undefined;
            /** The index of the batch's first record this stage did not apply before: -1 when none. */
            let firstUnapplied = -1;
            if (run.lag !== undefined) {
              unappliedFrom = run.applied.floor(topic, partition) ?? run.storedAtJoin.get(`${topic}:${partition}`);
              // The batch's first record not applied yet is the partition's oldest unapplied one.
              firstUnapplied = unappliedFrom === undefined ? -1 : batch.messages.findIndex((m) => BigInt(m.offset) >= (unappliedFrom as bigint));
              const first = batch.messages[firstUnapplied];
              if (first !== undefined) run.lag.batchStarted(topic, partition, Number(first.timestamp), Date.now());
            }
            try {
              const outcome = await run.spec.apply({ topic, partition, messages, appliedUpTo: run.applied.floor(topic, partition) });
              return { run, outcome, unappliedFrom, firstUnapplied, appliedAt: Date.now(), seconds: (performance.now() - started) / 1000 };
            } catch (error) {
              // Nothing of the batch was applied by this stage, its offset did not move: it stops here rather than go on past it.
              failed(run, topic, partition, firstOffset, error);
              return undefined;
            }
          }),
        );
        if (waitingAll(topic, partition)) pause();
        const last = batch.lastOffset();
        for (const result of results) {
          if (result === undefined) continue;
          const { run, outcome, unappliedFrom, firstUnapplied } = result;
          const { stage } = run.spec;
          if (o.metrics && firstUnapplied >= 0) recordKafkaToRedis(o.metrics, stage, batch.messages, firstUnapplied, result.appliedAt);
          // The store's offset is past the batch now (or was already, for a batch of records applied before).
          if (batch.messages.length > 0) {
            run.applied.stored(topic, partition, BigInt(last) + 1n);
            const caughtUp = Number(batch.offsetLag()) === 0;
            // A batch of records applied before tells only whether the partition's end was reached.
            if (caughtUp || (unappliedFrom !== undefined && BigInt(last) >= unappliedFrom)) {
              run.lag?.batchApplied(topic, partition, Number(batch.messages[batch.messages.length - 1]?.timestamp), caughtUp, Date.now());
            }
          }
          run.stops.applied(topic, partition);
          if (outcome.unreadable > 0) logger.warn(`${stage} stage skipped unreadable records`, { topic, partition, count: outcome.unreadable });
          if (o.metrics) recordBatch(o.metrics, stage, { topic, partition, lag: Number(batch.offsetLag()) }, outcome, result.seconds);
          run.spec.onBatch?.({ topic, partition }, outcome);
        }
        await heartbeat();
      },
    });
  } catch (error) {
    clearInterval(storeCheck);
    for (const run of runs) run.stops.close();
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }

  return {
    joined: () => assignment !== undefined,
    owned: (topic) => assignment?.[topic] ?? [],
    stop: async () => {
      leave();
      clearInterval(storeCheck);
      for (const run of runs) run.stops.close();
      await consumer.disconnect();
    },
  };
}

/**
 * Seeks each assigned partition to the lowest offset the stages fed here stored for it (none when a stage stored
 * none: Kafka's earliest then, as it has no committed offset), and tells each stage what it stored.
 */
async function seekToStored(consumer: Consumer, redis: StoreClient, runs: readonly StageRun[], assignment: Record<string, number[]>): Promise<void> {
  const wanted = Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
  if (wanted.length === 0) return;
  const stored = await redis.mGet(wanted.flatMap(({ topic, partition }) => runs.map((r) => r.spec.offsetKey(topic, partition))));
  wanted.forEach(({ topic, partition }, i) => {
    const offsets = runs.map((run, k) => {
      const offset = stored[i * runs.length + k];
      run.storedAtJoin.set(`${topic}:${partition}`, typeof offset === 'string' ? BigInt(offset) : 0n);
      return typeof offset === 'string' ? BigInt(offset) : undefined;
    });
    if (offsets.some((offset) => offset === undefined)) return;
    const lowest = (offsets as bigint[]).reduce((a, b) => (b < a ? b : a));
    consumer.seek({ topic, partition, offset: lowest.toString() });
  });
}

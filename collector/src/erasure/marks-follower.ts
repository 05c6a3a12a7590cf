/**
 * Erasure markers that survive Redis: the pipeline reads the compacted
 * `erasures` topic (marks-topic.ts) from its beginning and puts every marker
 * still in force into Redis where it is missing (restore-plan.ts), BEFORE its
 * stages consume anything, and keeps reading it afterwards. So a pipeline
 * replaying the topics from the earliest offsets into an empty Redis drops the
 * events of an erased person exactly as the original run did, and markers
 * lost with a Redis (a failover, an eviction, a new store) come back.
 *
 * Every instance reads every partition: a consumer group of its own per start
 * (`<PIPELINE_GROUP>-erasures-<random>`), committing nothing, so Kafka forgets
 * it once it leaves. The topic holds one small record per erased mark.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Logger } from '../log.js';
import type { StoreClient } from '../store/client.js';
import type { PipelineMetrics } from '../pipeline/metrics.js';
import type { ErasureMarks } from './marks.js';
import { readMarkRecord, type MarkRecord } from './marks-topic.js';
import { planMarkerRestore, RESTORE_MARKERS_SCRIPT } from './restore-plan.js';

export interface MarksFollowerOptions {
  kafka: Kafka;
  /** `<prefix>.erasures`. */
  topic: string;
  /** The pipeline's group id; the follower's group is `<groupId>-erasures-<random>`. */
  groupId: string;
  redis: StoreClient;
  marks: Pick<ErasureMarks, 'at'>;
  /** Every topic-partition that keeps a copy of each marker (../store/layout.ts, markerScopes). */
  scopes: readonly { topic: string; partition: number }[];
  /** How long a marker is in force after its erasure (kafka/topic-bounds.ts, erasureMarkerLifeMs). */
  lifeMs: number;
  clock(): number;
  logger: Logger;
  metrics?: PipelineMetrics;
  /** Told when the consumer crashed and kafkajs will not restart it. */
  onFatal?: (error: Error) => void;
}

export interface MarksFollower {
  /** Resolves once every record the topic held when the follower started is in Redis. */
  caughtUp: Promise<void>;
  stop(): Promise<void>;
}

/** Markers restored per script call: a few hundred keys keep one call short. */
const RESTORE_CHUNK = 500;

export async function startMarksFollower(o: MarksFollowerOptions): Promise<MarksFollower> {
  const targets = await endOffsets(o.kafka, o.topic);
  const waiting = new Set([...targets].filter(([, { low, high }]) => high > low).map(([partition]) => partition));
  let caught: () => void = () => {};
  const caughtUp = new Promise<void>((resolve) => (caught = resolve));
  let restored = 0;
  const reached = (partition: number, nextOffset: bigint) => {
    const target = targets.get(partition);
    if (target === undefined || nextOffset < target.high || !waiting.delete(partition) || waiting.size > 0) return;
    o.logger.info('erasure markers caught up', { topic: o.topic, restored });
    caught();
  };
  if (waiting.size === 0) caught();

  const consumer = o.kafka.consumer({ groupId: `${o.groupId}-erasures-${randomUUID()}`, allowAutoTopicCreation: false, sessionTimeout: 10_000, heartbeatInterval: 3_000 });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    o.logger.error('the erasure markers consumer crashed', { error: payload.error, restart: payload.restart });
    if (!payload.restart) o.onFatal?.(payload.error);
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: o.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        const records = batch.messages.flatMap((m) => {
          const read = readMarkRecord(m.key?.toString('utf8') ?? null, m.value?.toString('utf8') ?? null);
          return read === null ? [] : [read];
        });
        const set = await restoreMarkers(o, records);
        restored += set;
        if (set > 0) o.metrics?.markersRestored.inc(set);
        await heartbeat();
        const last = batch.lastOffset();
        reached(batch.partition, BigInt(last) + 1n);
      },
    });
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }
  return { caughtUp, stop: () => consumer.disconnect() };
}

/** Puts the markers still in force into Redis where missing or older; how many it set. */
export async function restoreMarkers(o: Pick<MarksFollowerOptions, 'redis' | 'marks' | 'scopes' | 'lifeMs' | 'clock'>, records: readonly MarkRecord[]): Promise<number> {
  const restore = planMarkerRestore(records, o.clock(), o.lifeMs);
  let set = 0;
  for (let i = 0; i < restore.length; i += RESTORE_CHUNK) {
    const chunk = restore.slice(i, i + RESTORE_CHUNK);
    const args = chunk.flatMap((m) => [String(m.erasedAt), String(Math.ceil(m.ttlMs))]);
    // One call per partition: a script touches the keys of one slot.
    const replies = await Promise.all(
      o.scopes.map(({ topic, partition }) => {
        const at = o.marks.at(topic, partition);
        return o.redis.runScript(RESTORE_MARKERS_SCRIPT, chunk.map((m) => at.keyOfMark(m.mark)), args);
      }),
    );
    for (const reply of replies) set += Number(reply);
  }
  return set;
}

/** How long start-up tries to read the topic's offsets: a topic created a moment ago may have no leader yet. */
const OFFSETS_WITHIN_MS = 30_000;

/** Each partition's earliest offset and high watermark now. */
async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, { low: bigint; high: bigint }>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + OFFSETS_WITHIN_MS;
    for (;;) {
      try {
        const offsets = await admin.fetchTopicOffsets(topic);
        return new Map(offsets.map((p) => [p.partition, { low: BigInt(p.low), high: BigInt(p.high) }]));
      } catch (error) {
        if ((error as { retriable?: unknown }).retriable !== true || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

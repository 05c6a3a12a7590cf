/**
 * The pipeline's Prometheus metrics (`GET /metrics` on its probes), on a
 * registry of its own so several instances (tests) can live in one process.
 * The lag matters most: the stages keep their offsets in Redis, never in
 * Kafka, so Kafka's consumer-group tools cannot see how far behind they are.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BatchOutcome } from './apply.js';
import { levelMetrics, type LevelMetrics } from '../degrade/level-metrics.js';
import { StageLagClocks } from './degrade/lag-clock.js';

/** The stages of a pipeline process, as their metrics name them. */
export const STAGES = ['identity', 'sessions', 'aggregates'] as const;

export interface PipelineMetrics {
  registry: Registry;
  records: Counter<'stage' | 'topic' | 'outcome'>;
  batchDuration: Histogram<'stage'>;
  /** Seconds from a record's Kafka timestamp to the end of the guarded batch that applied it, per stage. */
  kafkaToRedis: Histogram<'stage'>;
  lag: Gauge<'stage' | 'topic' | 'partition'>;
  /** Each stage's lag in time (degrade/lag-clock.ts), which the stage consumers keep and the level reads. */
  lagClocks: StageLagClocks;
  /** `sessionflow_pipeline_lag_seconds{stage}`, set every second from `lagClocks`. */
  lagSeconds: Gauge<'stage'>;
  /** The pipeline's degradation level and its changes. */
  level: LevelMetrics;
  /** 1 while a stage stopped taking a partition after a failed batch (partition-stops.ts); the reason is in the log. */
  partitionStopped: Gauge<'stage' | 'topic' | 'partition'>;
  batchFailures: Counter<'stage' | 'topic' | 'kind'>;
  /** Erasure markers put back into Redis from the `erasures` topic (../erasure/marks-follower.ts). */
  markersRestored: Counter;
}

export function createPipelineMetrics(options: { defaultMetrics?: boolean } = {}): PipelineMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    records: new Counter({
      name: 'sessionflow_pipeline_records_total',
      help: 'Records a stage consumed, by outcome: applied, duplicate (event id counted before), replayed (below the stored offset), unreadable.',
      labelNames: ['stage', 'topic', 'outcome'] as const,
      registers: [registry],
    }),
    batchDuration: new Histogram({
      name: 'sessionflow_pipeline_batch_duration_seconds',
      help: 'Time to apply one topic-partition batch to Redis, reads and retries included.',
      labelNames: ['stage'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    kafkaToRedis: new Histogram({
      name: 'sessionflow_pipeline_kafka_to_redis_seconds',
      help:
        "Seconds from a record's Kafka timestamp to the end of the stage's guarded batch that applied it (its script answered), each record of the stage's input topics once. " +
        "identity and sessions: from the sf.events record's write; aggregates: from the by-user record's write by the identity stage (or the closing snapshot's by the sessions ticker), so a by-user event's whole way is identity's plus this.",
      labelNames: ['stage'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'sessionflow_pipeline_lag_records',
      help: "Records of a partition not yet applied by the stage, as of its latest batch (the partition's high watermark minus the next offset).",
      labelNames: ['stage', 'topic', 'partition'] as const,
      registers: [registry],
    }),
    lagClocks: new StageLagClocks(STAGES),
    lagSeconds: new Gauge({
      name: 'sessionflow_pipeline_lag_seconds',
      help: "Seconds between now and the oldest record the stage has not applied yet, its worst partition's (0 when caught up); the worst of the second before the sample, set every second.",
      labelNames: ['stage'] as const,
      registers: [registry],
    }),
    level: levelMetrics(registry, 'pipeline'),
    partitionStopped: new Gauge({
      name: 'sessionflow_pipeline_partition_stopped',
      help: '1 while the stage has stopped taking the partition because a batch failed (nothing of it applied, its offset unmoved; the reason is in the log); 0 once the batch applied.',
      labelNames: ['stage', 'topic', 'partition'] as const,
      registers: [registry],
    }),
    batchFailures: new Counter({
      name: 'sessionflow_pipeline_batch_failures_total',
      help: 'Batches that failed and stopped their partition, by kind: would_fail (a command would have failed on what Redis holds), plan (a planning error), guard_conflict (other writers kept changing what it read), store_behind (the store was found behind the first offset of a batch or behind the offset this process stored last: it lost writes, and the partition goes back to replay them), error (Redis or Kafka unreachable, OOM, ...).',
      labelNames: ['stage', 'topic', 'kind'] as const,
      registers: [registry],
    }),
    markersRestored: new Counter({
      name: 'sessionflow_pipeline_erasure_markers_restored_total',
      help: 'Erasure markers the pipeline put back into Redis from the erasures topic, where Redis had none (an emptied or new Redis) or an older one.',
      registers: [registry],
    }),
  };
}

/**
 * The Kafka → Redis latency of the records a batch applied, `records` from
 * index `from` on: their Kafka timestamps (epoch ms, as kafkajs gives them)
 * to `appliedAt`, when the batch's script answered (epoch ms). A timestamp
 * that is not a number is left out; one from a clock ahead of ours counts as 0.
 */
export function recordKafkaToRedis(metrics: PipelineMetrics, stage: string, records: readonly { timestamp: string }[], from: number, appliedAt: number): void {
  const histogram = metrics.kafkaToRedis;
  const labels = { stage };
  for (let i = Math.max(0, from); i < records.length; i++) {
    const at = Number(records[i]!.timestamp);
    if (!Number.isFinite(at) || at <= 0) continue;
    histogram.observe(labels, Math.max(0, appliedAt - at) / 1000);
  }
}

/** What one applied batch adds to the metrics. */
export function recordBatch(metrics: PipelineMetrics, stage: string, batch: { topic: string; partition: number; lag: number }, outcome: BatchOutcome, seconds: number): void {
  const { topic } = batch;
  const counted = { applied: outcome.applied - outcome.duplicates - outcome.unreadable, duplicate: outcome.duplicates, replayed: outcome.replayed, unreadable: outcome.unreadable };
  for (const [name, count] of Object.entries(counted)) if (count > 0) metrics.records.inc({ stage, topic, outcome: name }, count);
  metrics.batchDuration.observe({ stage }, seconds);
  metrics.lag.set({ stage, topic, partition: String(batch.partition) }, batch.lag);
}

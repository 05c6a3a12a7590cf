/**
 * The pipeline's lag in seconds: how long the oldest record a stage has not
 * applied yet has been waiting, the worst over stages and partitions (the
 * degradation policy's `lag_s` signal, DESIGN.md and issue 14).
 *
 * Read in one place (`pipelineLagSeconds`) from whichever source there is:
 * the pipeline's own gauge when its /metrics exports one
 * (`sessionflow_pipeline_lag_seconds{stage}`, the degradation work adds it), else
 * computed here from the stages' offsets in Redis and the topics' end offsets
 * sampled every second: a record at offset o of a partition was written by the
 * first sample whose end offset passed o, so a stage whose next offset is o has
 * waited since that sample. Its grain is the sampling period; records written
 * before the first sample count from it. Pure.
 */
import { gaugeSamples } from './metrics-text.js';

/** A topic-partition, `<topic>/<partition>`. */
export type PartitionKey = string;

export interface EndSample {
  /** ms (any clock, the same as `now`). */
  at: number;
  /** End offset (high watermark) of each partition. */
  ends: ReadonlyMap<PartitionKey, bigint>;
}

export interface StageOffset {
  stage: string;
  partition: PartitionKey;
  /** The next offset the stage will apply (what it stored). */
  next: bigint;
}

export interface Lag {
  seconds: number;
  /** The stage and partition furthest behind (undefined when none is). */
  worst: { stage: string; partition: PartitionKey } | undefined;
  source: 'pipeline gauge' | 'offsets';
}

/** Seconds the oldest unapplied record has waited, from the end-offset history (oldest first). */
export function lagFromOffsets(history: readonly EndSample[], stages: readonly StageOffset[], now: number): Lag {
  let seconds = 0;
  let worst: Lag['worst'];
  const latest = history[history.length - 1];
  if (latest === undefined) return { seconds: 0, worst: undefined, source: 'offsets' };
  for (const { stage, partition, next } of stages) {
    const end = latest.ends.get(partition);
    if (end === undefined || next >= end) continue;
    const written = history.find((sample) => (sample.ends.get(partition) ?? 0n) > next) ?? latest;
    const waited = Math.max(0, (now - written.at) / 1000);
    if (waited >= seconds) {
      seconds = waited;
      worst = { stage, partition };
    }
  }
  return { seconds, worst, source: 'offsets' };
}

export const PIPELINE_LAG_GAUGE = 'sessionflow_pipeline_lag_seconds';

/** The pipeline's lag: its own gauge (the worst of its samples) when /metrics has one, else the lag computed from offsets. */
export function pipelineLagSeconds(pipelineMetrics: string | undefined, fromOffsets: () => Lag): Lag {
  const samples = pipelineMetrics === undefined ? [] : gaugeSamples(pipelineMetrics, PIPELINE_LAG_GAUGE);
  if (samples.length === 0) return fromOffsets();
  const top = samples.reduce((a, b) => (b.value > a.value ? b : a));
  const stage = top.labels['stage'];
  // The gauge may name the stage only (its worst partition): the partition is then not known here.
  const partition = top.labels['topic'] !== undefined ? `${top.labels['topic']}/${top.labels['partition'] ?? '?'}` : 'its worst partition';
  return { seconds: Math.max(0, top.value), worst: stage !== undefined ? { stage, partition } : undefined, source: 'pipeline gauge' };
}

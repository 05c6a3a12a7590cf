/**
 * A stage's partitions it stopped taking because a batch failed.
 *
 * A failed batch wrote nothing, not even its offset (../store/guarded-batch.ts),
 * so the partition must not go on past it: the stage pauses the partition
 * (kafkajs `pause`), says why in its log and in `/metrics`
 * (`sessionflow_pipeline_partition_stopped{stage,topic,partition}` = 1), and
 * after a backoff (doubling up to its maximum) seeks the partition to the
 * offset stored in Redis and resumes it: the batch comes again and is applied
 * exactly once, or fails again and the partition waits longer. A cause that
 * lasts (a key of the wrong type, a full Redis) keeps it stopped, saying so,
 * until an operator removes it; nothing after the failed batch is applied
 * before it.
 */
import type { Logger } from '../log.js';
import { BatchPlanError } from '../store/batch-checks.js';
import { BatchWouldFailError, GuardConflictError } from '../store/guarded-batch.js';
import type { PipelineMetrics } from './metrics.js';
import { StoreBehindLogError } from './store-behind.js';

export interface RetryBackoff {
  /** The wait after the first failure; each further one doubles it. */
  initialMs: number;
  maxMs: number;
}

// At most 10 s: a store back after an outage of seconds is used again within seconds (a crash test saw 60 s hold the backlog).
export const DEFAULT_RETRY_BACKOFF: Readonly<RetryBackoff> = Object.freeze({ initialMs: 1_000, maxMs: 10_000 });

/** Why a batch failed, as a bounded metric label; the message itself goes to the log. */
export type FailureKind = 'would_fail' | 'plan' | 'guard_conflict' | 'store_behind' | 'error';

export function failureKind(error: unknown): FailureKind {
  if (error instanceof BatchWouldFailError) return 'would_fail';
  if (error instanceof BatchPlanError) return 'plan';
  if (error instanceof GuardConflictError) return 'guard_conflict';
  if (error instanceof StoreBehindLogError) return 'store_behind';
  return 'error';
}

/** The wait before the `attempt`th retry (1-based). */
export function backoffMs(backoff: RetryBackoff, attempt: number): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt - 1, 30));
}

export interface PartitionStopsDeps {
  stage: string;
  logger: Logger;
  metrics?: PipelineMetrics | undefined;
  backoff: RetryBackoff;
  /**
   * Seeks the partition to its stored offset (`fromOffset` when none is
   * stored: the failed batch's first) and resumes it; rejects when that
   * cannot be done now (the stored offset unreadable), and is tried again.
   */
  restart(topic: string, partition: number, fromOffset: string): Promise<void>;
  /** Timers, for tests. */
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

interface Stop {
  topic: string;
  partition: number;
  /** The failed batch's first offset. */
  fromOffset: string;
  attempts: number;
  /** True until the backoff has passed and the partition was handed back to kafkajs. */
  waiting: boolean;
  timer: unknown;
}

export class PartitionStops {
  private readonly stops = new Map<string, Stop>();
  private readonly setTimer: (run: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;
  private closed = false;

  constructor(private readonly deps: PartitionStopsDeps) {
    this.setTimer = deps.setTimer ?? ((run, ms) => setTimeout(run, ms));
    this.clearTimer = deps.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  }

  /** True while the partition waits out its backoff: a batch of it (fetched before the pause) must not be applied. */
  isWaiting(topic: string, partition: number): boolean {
    return this.stops.get(key(topic, partition))?.waiting === true;
  }

  /** A batch of the partition failed: its first offset, and why. The caller has paused the partition. */
  failed(topic: string, partition: number, fromOffset: string, error: unknown): void {
    const id = key(topic, partition);
    const stop = this.stops.get(id) ?? { topic, partition, fromOffset, attempts: 0, waiting: true, timer: undefined };
    stop.attempts++;
    stop.waiting = true;
    this.stops.set(id, stop);
    const kind = failureKind(error);
    const waitMs = backoffMs(this.deps.backoff, stop.attempts);
    const { stage, logger, metrics } = this.deps;
    logger.error(
      `${stage} stage stopped taking ${topic} partition ${partition}: its batch from offset ${stop.fromOffset} failed, and nothing of it was applied nor its offset moved: ${message(error)}; trying again in ${waitMs} ms`,
      { topic, partition, fromOffset: stop.fromOffset, attempt: stop.attempts, kind },
    );
    metrics?.partitionStopped.set({ stage, topic, partition: String(partition) }, 1);
    metrics?.batchFailures.inc({ stage, topic, kind });
    this.schedule(stop, waitMs);
  }

  /** A batch of the partition applied: if it was stopped, it goes on. */
  applied(topic: string, partition: number): void {
    const id = key(topic, partition);
    const stop = this.stops.get(id);
    if (stop === undefined) return;
    this.clearTimer(stop.timer);
    this.stops.delete(id);
    this.deps.metrics?.partitionStopped.set({ stage: this.deps.stage, topic, partition: String(partition) }, 0);
    this.deps.logger.info(`${this.deps.stage} stage takes ${topic} partition ${partition} again: the failed batch applied`, { topic, partition, attempts: stop.attempts });
  }

  /**
   * After a rebalance: forgets the stops of partitions no longer assigned (the
   * new owner starts from the stored offset) and returns them, to be resumed
   * in kafkajs so they are not found paused if they come back.
   */
  keepOnly(assignment: Readonly<Record<string, readonly number[]>>): { topic: string; partition: number }[] {
    const dropped: { topic: string; partition: number }[] = [];
    for (const [id, stop] of this.stops) {
      if (assignment[stop.topic]?.includes(stop.partition)) continue;
      this.clearTimer(stop.timer);
      this.stops.delete(id);
      this.deps.metrics?.partitionStopped.remove({ stage: this.deps.stage, topic: stop.topic, partition: String(stop.partition) });
      dropped.push({ topic: stop.topic, partition: stop.partition });
    }
    return dropped;
  }

  close(): void {
    this.closed = true;
    for (const stop of this.stops.values()) this.clearTimer(stop.timer);
  }

  private schedule(stop: Stop, waitMs: number): void {
    this.clearTimer(stop.timer);
    stop.timer = this.setTimer(() => void this.retry(stop), waitMs);
  }

  private async retry(stop: Stop): Promise<void> {
    if (this.closed || this.stops.get(key(stop.topic, stop.partition)) !== stop) return;
    stop.waiting = false;
    try {
      await this.deps.restart(stop.topic, stop.partition, stop.fromOffset);
    } catch (error) {
      if (this.closed) return;
      this.failed(stop.topic, stop.partition, stop.fromOffset, new Error(`could not resume from the stored offset: ${message(error)}`, { cause: error }));
    }
  }
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

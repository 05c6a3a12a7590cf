/**
 * The wall-clock half of the sessions stage: every tick, for each partition
 * of the events topic this instance owns now, it emits the snapshots that
 * `planTick` says are due to the compacted sessions topic, and records them
 * in Redis only after Kafka acknowledged them. So a snapshot is never marked
 * as sent without being in Kafka; a crash or a rebalance between the two at
 * worst sends it again, which a topic compacted by session id absorbs.
 *
 * Stream time plays no part: a session is snapshotted and closed while no
 * event arrives at all.
 */
import { WatchError } from 'redis';
import type { Logger } from '../../log.js';
import type { StoreClient } from '../../store/client.js';
import { advanceProgress, type PartitionProgress } from './applied-through.js';
import type { SessionKeys } from './keys.js';
import type { SessionSnapshot } from './snapshot.js';
import { markCommands, planTick, idleCutoff, type TickCandidate, type TickPlan } from './tick-plan.js';
import { readStoredSession, SESSION_FIELDS, STORED_SESSION_FIELDS } from './stored.js';

export interface PartitionOffsets {
  /** The earliest offset still in the partition. */
  low: bigint;
  /** The high watermark: the offset the next record will get. */
  high: bigint;
}

export interface TickerDeps {
  /** A connection of its own: WATCH belongs to the connection. */
  redis: StoreClient;
  keys: SessionKeys;
  /** The events topic, whose partitions index the open sessions. */
  eventsTopic: string;
  /** Partitions of the events topic this instance owns now. */
  owned(): readonly number[];
  /** The events topic's offsets per partition, read from Kafka now. */
  partitionOffsets(): Promise<ReadonlyMap<number, PartitionOffsets>>;
  /** Resolves once Kafka acknowledged every record (acks from all in-sync replicas); a null value is a tombstone. */
  send(records: { key: string; value: string | null }[]): Promise<void>;
  clock(): number;
  gapMs: number;
  snapshotIntervalMs: number;
  closedTtlSeconds: number;
  tickMs: number;
  /** Most sessions looked at per partition and tick; the rest wait for the next. */
  batchLimit?: number;
  logger: Logger;
  /** Told of every snapshot Kafka acknowledged (tests, metrics). */
  onSnapshots?: (snapshots: readonly SessionSnapshot[]) => void;
}

export class SessionTicker {
  private readonly progress = new Map<number, PartitionProgress>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly deps: TickerDeps) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /**
   * No tick starts afterwards; the one in progress is waited for up to `graceMs`. Leaving it
   * unfinished is safe (nothing is recorded before Kafka acknowledged it), and a send to a Kafka
   * that is down retries without end.
   */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.running === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([this.running, grace]);
    clearTimeout(timer);
  }

  /** One pass over the owned partitions. */
  async tick(): Promise<void> {
    const partitions = this.deps.owned();
    for (const partition of this.progress.keys()) {
      // A partition moved away and back must prove again how far it is applied.
      if (!partitions.includes(partition)) this.progress.delete(partition);
    }
    if (partitions.length === 0) return;
    await this.observeProgress(partitions);
    for (const partition of partitions) {
      if (this.stopped) return;
      await this.tickPartition(partition);
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((error: unknown) => this.deps.logger.warn('session snapshots failed this tick; the next tick tries again', { error }))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.deps.tickMs);
    // Ticking alone must not keep a process alive that is otherwise done.
    this.timer.unref();
  }

  private async observeProgress(partitions: readonly number[]): Promise<void> {
    const { deps } = this;
    const at = deps.clock();
    const offsets = await deps.partitionOffsets();
    const stored = await deps.redis.mGet(partitions.map((p) => deps.keys.offset(deps.eventsTopic, p)));
    partitions.forEach((partition, i) => {
      const known = offsets.get(partition);
      if (known === undefined) return;
      const value = stored[i];
      const applied = typeof value === 'string' ? BigInt(value) : known.low;
      this.progress.set(partition, advanceProgress(this.progress.get(partition) ?? {}, applied, known.high, at));
    });
  }

  private async tickPartition(partition: number): Promise<void> {
    const { deps } = this;
    const { keys, redis, eventsTopic } = deps;
    const limit = { offset: 0, count: deps.batchLimit ?? 500 };
    const now = deps.clock();
    const appliedThrough = this.progress.get(partition)?.through;
    const cutoff = idleCutoff(appliedThrough, deps.gapMs);
    const [idle, due] = await Promise.all([
      cutoff === undefined ? Promise.resolve([]) : redis.zRange(keys.open(eventsTopic, partition), '-inf', `(${cutoff}`, { BY: 'SCORE', LIMIT: limit }),
      redis.zRangeWithScores(keys.due(eventsTopic, partition), '-inf', now, { BY: 'SCORE', LIMIT: limit }),
    ]);
    const dueAt = new Map(due.map(({ value, score }) => [String(value), score]));
    const ids = [...new Set([...idle.map(String), ...dueAt.keys()])];
    if (ids.length === 0) return;

    const values = await Promise.all(ids.map((id) => redis.hmGet(keys.session(id), [...STORED_SESSION_FIELDS])));
    const candidates: TickCandidate[] = ids.map((sessionId, i) => {
      const stored = readStoredSession(values[i] ?? []);
      const at = dueAt.get(sessionId);
      return { sessionId, stored, ...(at !== undefined ? { dueAt: at } : {}) };
    });
    const plan = planTick({ now, appliedThrough, gapMs: deps.gapMs, candidates });
    if (plan.snapshots.length > 0) {
      const snapshots = plan.snapshots.map((s) => s.snapshot);
      await deps.send(snapshots.map((s) => ({ key: s.sessionId, value: JSON.stringify(s) })));
      deps.onSnapshots?.(snapshots);
    }
    const erased = await this.mark(partition, plan);
    // Erased while its snapshot was on its way: the erasure's tombstone may have landed first, so one more follows it.
    if (erased.length > 0) await deps.send(erased.map((sessionId) => ({ key: sessionId, value: null })));
  }

  /**
   * Records what Kafka acknowledged; sessions that changed meanwhile are judged on what they are now (tick-plan.ts).
   * Answers the snapshotted sessions whose hash is gone now: only an erasure deletes one that is not closed.
   */
  private async mark(partition: number, plan: TickPlan): Promise<string[]> {
    const { deps } = this;
    const ids = [...plan.settled, ...plan.snapshots.map((s) => s.sessionId)];
    if (ids.length === 0) return [];
    const sessionKeys = ids.map((id) => deps.keys.session(id));
    const context = {
      keys: deps.keys,
      topic: deps.eventsTopic,
      partition,
      snapshotIntervalMs: deps.snapshotIntervalMs,
      closedTtlSeconds: deps.closedTtlSeconds,
    };
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        await deps.redis.watch(sessionKeys);
        const versions = await Promise.all(sessionKeys.map((key) => deps.redis.hGet(key, SESSION_FIELDS.version)));
        const versionsNow = new Map(ids.map((id, i) => [id, versionOf(versions[i])]));
        const transaction = deps.redis.multi();
        for (const command of markCommands(plan, versionsNow, context)) transaction.addCommand(command);
        await transaction.exec();
        return plan.snapshots.map((s) => s.sessionId).filter((id) => versionsNow.get(id) === undefined);
      } catch (error) {
        if (!(error instanceof WatchError)) throw error;
      }
    }
    // Left unmarked, the sessions are due again next tick: sent twice, which the compacted topic absorbs.
    deps.logger.warn('session snapshots sent but not recorded: events kept changing them', { partition, sessions: ids.length });
    return [];
  }
}

function versionOf(value: string | null | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

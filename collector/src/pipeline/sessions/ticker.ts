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
 *
 * A closing snapshot goes out twice: to the sessions topic, and to the
 * by-user topic keyed by the person it counts for (the user id it carries,
 * else the user its device is linked to now, else the device), where the
 * partition that owns that profile adds it to the profile's engagement
 * baseline (../baseline/). The link is the identity stage's, in this same
 * partition's slot of the events topic.
 */
import { deviceRef, userRef } from '@sessionflow/core';
import type { Logger } from '../../log.js';
import type { StoreClient } from '../../store/client.js';
import { identityKeys } from '../../store/identity-keys.js';
import { runGuardedBatch, type Guard } from '../../store/guarded-batch.js';
import { closedSessionValue } from '../baseline/closing.js';
import type { KeyedRecord } from '../identity/records.js';
import { advanceProgress, type PartitionProgress } from './applied-through.js';
import { sessionKeys, type SessionKeys } from './keys.js';
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
  /** A connection of its own, so a tick does not queue behind the folds. */
  redis: StoreClient;
  /** The deployment's key prefix. */
  prefix: string;
  /** The events topic, whose partitions own the sessions. */
  eventsTopic: string;
  /** The by-user topic, where closed sessions go keyed by their person. */
  byUserTopic: string;
  /** Partitions of the events topic this instance owns now. */
  owned(): readonly number[];
  /** The events topic's offsets per partition, read from Kafka now. */
  partitionOffsets(): Promise<ReadonlyMap<number, PartitionOffsets>>;
  /** Resolves once Kafka acknowledged every record (acks from all in-sync replicas); a null value is a tombstone. */
  send(records: KeyedRecord[]): Promise<void>;
  /** The sessions topic, where every snapshot goes. */
  sessionsTopic: string;
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
    const stored = await deps.redis.mGet(partitions.map((p) => sessionKeys(deps.prefix, deps.eventsTopic, p).offset));
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
    const { redis, eventsTopic } = deps;
    const keys = sessionKeys(deps.prefix, eventsTopic, partition);
    const limit = { offset: 0, count: deps.batchLimit ?? 500 };
    const now = deps.clock();
    const appliedThrough = this.progress.get(partition)?.through;
    const cutoff = idleCutoff(appliedThrough, deps.gapMs);
    const [idle, due] = await Promise.all([
      cutoff === undefined ? Promise.resolve([]) : redis.zRange(keys.open, '-inf', `(${cutoff}`, { BY: 'SCORE', LIMIT: limit }),
      redis.zRangeWithScores(keys.due, '-inf', now, { BY: 'SCORE', LIMIT: limit }),
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
    const countedFor = new Map<string, string>();
    if (plan.snapshots.length > 0) {
      const snapshots = plan.snapshots.map((s) => s.snapshot);
      const counted = new Map(candidates.flatMap((c) => (c.stored?.countedFor === undefined ? [] : [[c.sessionId, c.stored.countedFor] as const])));
      const records: KeyedRecord[] = snapshots.map((s) => ({ topic: deps.sessionsTopic, key: s.sessionId, value: JSON.stringify(s) }));
      for (const { sessionId, ...record } of await this.closedSessionRecords(partition, snapshots, counted)) {
        records.push(record);
        countedFor.set(sessionId, record.key);
      }
      await deps.send(records);
      deps.onSnapshots?.(snapshots);
    }
    const erased = await this.mark(keys, plan, countedFor);
    // Erased while its snapshot was on its way: the erasure's tombstone may have landed first, so one more follows it.
    if (erased.length > 0) await deps.send(erased.map((sessionId) => ({ topic: deps.sessionsTopic, key: sessionId, value: null })));
  }

  /**
   * The by-user records of the closing snapshots, keyed by the person each counts for: the one its first closing
   * counted for (`counted`), else the user it carries, else its device's user, else the device.
   */
  private async closedSessionRecords(partition: number, snapshots: readonly SessionSnapshot[], counted: ReadonlyMap<string, string>): Promise<(KeyedRecord & { key: string; sessionId: string })[]> {
    const closing = snapshots.filter((s) => s.state === 'closed');
    if (closing.length === 0) return [];
    const links = identityKeys(this.deps.prefix, this.deps.eventsTopic, partition);
    const anonymous = [...new Set(closing.filter((s) => s.userId === undefined && !counted.has(s.sessionId)).map((s) => s.anonymousId))];
    const linked = await this.deps.redis.mGet(anonymous.map((anon) => links.link(anon)));
    const userOf = new Map(anonymous.map((anon, i) => [anon, linked[i] ?? null]));
    return closing.map((s) => {
      const userId = s.userId ?? userOf.get(s.anonymousId) ?? null;
      const profile = counted.get(s.sessionId) ?? (userId !== null ? userRef(userId) : deviceRef(s.anonymousId));
      return { topic: this.deps.byUserTopic, key: profile, value: closedSessionValue(JSON.stringify(s), profile), sessionId: s.sessionId };
    });
  }

  /**
   * Records what Kafka acknowledged; sessions that changed meanwhile are judged on what they are now (tick-plan.ts).
   * Answers the snapshotted sessions whose hash is gone now: only an erasure deletes one that is not closed.
   */
  private async mark(keys: SessionKeys, plan: TickPlan, countedFor: ReadonlyMap<string, string>): Promise<string[]> {
    const { deps } = this;
    const ids = [...plan.settled, ...plan.snapshots.map((s) => s.sessionId)];
    if (ids.length === 0) return [];
    const sessionHashes = ids.map((id) => keys.session(id));
    const context = { keys, snapshotIntervalMs: deps.snapshotIntervalMs, closedTtlSeconds: deps.closedTtlSeconds, countedFor };
    for (let attempt = 1; attempt <= 5; attempt++) {
      // The versions read are guarded: a fold landing before the script refuses it, and the sessions are judged again.
      const versions = await Promise.all(sessionHashes.map((key) => deps.redis.hGet(key, SESSION_FIELDS.version)));
      const guards: Guard[] = sessionHashes.map((key, i) => ({ key, field: SESSION_FIELDS.version, expected: versions[i] ?? null }));
      const versionsNow = new Map(ids.map((id, i) => [id, versionOf(versions[i])]));
      const result = await runGuardedBatch(deps.redis, guards, markCommands(plan, versionsNow, context));
      if (result.applied) return plan.snapshots.map((s) => s.sessionId).filter((id) => versionsNow.get(id) === undefined);
    }
    // Left unmarked, the sessions are due again next tick: sent twice, which the compacted topic absorbs.
    deps.logger.warn('session snapshots sent but not recorded: events kept changing them', { sessions: ids.length });
    return [];
  }
}

function versionOf(value: string | null | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

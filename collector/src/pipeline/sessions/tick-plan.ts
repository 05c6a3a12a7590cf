/**
 * The ticker's decisions, pure: which of a partition's sessions get a
 * snapshot now, and what to record once Kafka acknowledged them. The clock
 * is an argument, so tests move it by hand.
 *
 * - A session idle for longer than the gap gets its closing snapshot, and
 *   leaves the open index. "Idle" is judged against the time up to which the
 *   partition is known to be applied (applied-through.ts), never a clock
 *   running ahead of unconsumed events: a backlog after a restart does not
 *   close sessions whose next events are still waiting in Kafka.
 * - A session with activity not yet shown gets an open snapshot once its due
 *   time came (at once for a new session, else the interval after its last).
 * - Nothing else is emitted: a quiet open session is not repeated.
 */
import type { RedisCommand } from '../commands.js';
import type { SessionKeys } from './keys.js';
import { sessionSnapshot, type SessionSnapshot } from './snapshot.js';
import { SESSION_FIELDS, type StoredSession } from './stored.js';

export interface TickCandidate {
  sessionId: string;
  /** Null when its hash is gone (expired, erased): only its index entries are left to drop. */
  stored: StoredSession | null;
  /** From the due index: the session has activity not yet snapshotted, to be shown from then on. */
  dueAt?: number;
}

export interface TickInput {
  /** Wall clock, epoch ms. */
  now: number;
  /** Every record the partition held at this time is applied; undefined until that is known. */
  appliedThrough: number | undefined;
  gapMs: number;
  candidates: readonly TickCandidate[];
}

export interface PlannedSnapshot {
  sessionId: string;
  /** The session's version the snapshot shows. */
  version: number;
  snapshot: SessionSnapshot;
}

export interface TickPlan {
  snapshots: PlannedSnapshot[];
  /** Index entries to drop without a snapshot: the session is gone, or it was shown as it is. */
  settled: string[];
}

/** Sessions whose latest activity is before this have been idle longer than the gap; undefined while nothing is known to be applied. */
export function idleCutoff(appliedThrough: number | undefined, gapMs: number): number | undefined {
  return appliedThrough === undefined ? undefined : appliedThrough - gapMs;
}

export function planTick(input: TickInput): TickPlan {
  const cutoff = idleCutoff(input.appliedThrough, input.gapMs);
  const plan: TickPlan = { snapshots: [], settled: [] };
  for (const { sessionId, stored, dueAt } of input.candidates) {
    if (stored === null) {
      plan.settled.push(sessionId);
    } else if (cutoff !== undefined && stored.closedAt === undefined && stored.state.lastActivityAt < cutoff) {
      plan.snapshots.push({ sessionId, version: stored.version, snapshot: sessionSnapshot(stored, 'closed', input.now) });
    } else if (dueAt !== undefined && dueAt <= input.now) {
      if (stored.snapshotVersion === stored.version) plan.settled.push(sessionId);
      else plan.snapshots.push({ sessionId, version: stored.version, snapshot: sessionSnapshot(stored, 'open', input.now) });
    }
  }
  return plan;
}

export interface MarkContext {
  /** The keys of the partition whose sessions were snapshotted. */
  keys: SessionKeys;
  snapshotIntervalMs: number;
  /** How long a closed session is kept, for a late event to reopen it with what it had. */
  closedTtlSeconds: number;
  /** Session id → the profile (ref) its closing snapshot was sent to be counted for, remembered at its first closing. */
  countedFor?: ReadonlyMap<string, string>;
}

/**
 * What to record after Kafka acknowledged `plan`'s snapshots, given each
 * session's version as read now (guarded: ticker.ts). A session that got events
 * since its snapshot was taken stays open and due (the interval after this
 * snapshot): what was emitted did not show those events.
 */
export function markCommands(plan: TickPlan, versionsNow: ReadonlyMap<string, number | undefined>, ctx: MarkContext): RedisCommand[] {
  const { keys } = ctx;
  const open = keys.open;
  const due = keys.due;
  const commands: RedisCommand[] = [];
  for (const sessionId of plan.settled) {
    if (versionsNow.get(sessionId) === undefined) commands.push(['ZREM', open, sessionId]);
    commands.push(['ZREM', due, sessionId]);
  }
  for (const { sessionId, version, snapshot } of plan.snapshots) {
    const key = keys.session(sessionId);
    const versionNow = versionsNow.get(sessionId);
    if (versionNow === undefined) {
      // Gone meanwhile (an erasure): nothing of it is to be kept.
      commands.push(['ZREM', open, sessionId], ['ZREM', due, sessionId]);
      continue;
    }
    const unchanged = versionNow === version;
    const at = String(snapshot.snapshotAt);
    commands.push(['HSET', key, SESSION_FIELDS.lastSnapshotAt, at, SESSION_FIELDS.snapshotVersion, String(version)]);
    if (!unchanged) {
      commands.push(['ZADD', due, 'XX', String(snapshot.snapshotAt + ctx.snapshotIntervalMs), sessionId]);
    } else if (snapshot.state === 'closed') {
      const profile = ctx.countedFor?.get(sessionId);
      commands.push(
        ['HSET', key, SESSION_FIELDS.closedAt, at, ...(profile === undefined ? [] : [SESSION_FIELDS.countedFor, profile])],
        ['EXPIRE', key, String(ctx.closedTtlSeconds)],
        ['ZREM', open, sessionId],
        ['ZREM', due, sessionId],
      );
    } else {
      commands.push(['ZREM', due, sessionId]);
    }
  }
  return commands;
}

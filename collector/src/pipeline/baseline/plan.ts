/**
 * The engagement baseline's state changes for a batch of closed sessions
 * (closing.ts), as Redis commands and the guards they depend on: a pure
 * function of the sessions and what the caller read (../apply.ts). Tested
 * without Redis.
 *
 * - A closed session reaches the by-user partition of its person as a record
 *   keyed by the person's ref (closing.ts): the sessions stage, which closed
 *   it, chose the profile (the user id it carries, else the user its device is
 *   linked to then, else the device), so the baseline lives with the profile
 *   it belongs to and is written by that partition alone.
 * - A session of a person erased after its last activity changes nothing
 *   (../../erasure/marked-events.ts); the marks read are guarded. A session active
 *   after the erasure is the person back, and counts.
 * - A session counts once: the ticker may send a closing record again (a
 *   crash between Kafka's ack and its own record of it), and a late event can
 *   reopen a closed session, whose second closing then changes nothing. The
 *   `baselineCounted` key is guarded absent and set with the batch.
 * - The changes are HINCRBYs of integer sums, one per field and profile and
 *   batch: order-free, so any cut of the records into batches gives the same.
 *   A counted session is activity of its profile: the profile's keys expire
 *   from then on after its quiet period, like after an event (../profiles/).
 */
import { deviceRef, userRef } from '@sessionflow/core';
import { DEFAULT_STATE_BOUNDS, type StateBounds } from '../../store/bounds.js';
import type { MarkKeys } from '../../erasure/marks.js';
import { erasureTime } from '../../erasure/marked-events.js';
import type { Guard } from '../../store/guarded-batch.js';
import type { StoreKeys } from '../../store/keys.js';
import type { RedisCommand } from '../commands.js';
import type { ClosedSession } from './closing.js';
import { profileExpiryCommands } from '../profiles/commands.js';

/** What the plan depends on, as read from Redis; a value absent from a map reads as null. */
export interface BaselineReads {
  /** Profile ref (a user's or a device's) → its erasure mark (epoch ms, as stored). */
  marks: ReadonlyMap<string, string | null>;
  /** Session id → its `baselineCounted` value. */
  counted: ReadonlyMap<string, string | null>;
}

export interface BaselinePlanContext {
  /** The keys of the batch's partition, which owns every session's profile. */
  keys: StoreKeys;
  /** Erasure markers in the partition's slot (../../erasure/marks.ts). */
  marks: Pick<MarkKeys, 'key'>;
  /** How long a counted session is remembered. */
  seenTtlSeconds: number;
  /** How long a profile is kept after its activity; the defaults when absent. */
  bounds?: StateBounds;
}

export interface BaselinePlan {
  commands: RedisCommand[];
  guards: Guard[];
  /** Profiles (refs) whose baseline changed, for their snapshots. */
  profiles: string[];
  /** Sessions counted before, or twice in the batch. */
  duplicates: number;
}

/** The fields of the baseline hash: sums over the counted sessions. */
export const BASELINE_FIELDS = Object.freeze({ sessions: 'sessions', events: 'events', pageViews: 'pageViews', activeMs: 'activeMs' });

/** The refs whose erasure marks the plan needs: each session's device, its user and its profile. */
export function marksToRead(sessions: readonly ClosedSession[]): string[] {
  return [...new Set(sessions.flatMap(refsOf))];
}

export function planBaseline(sessions: readonly ClosedSession[], reads: BaselineReads, ctx: BaselinePlanContext): BaselinePlan {
  const { keys, marks } = ctx;
  const guards: Guard[] = [];
  const guarded = new Set<string>();
  const guard = (key: string, expected: string | null) => {
    if (guarded.has(key)) return;
    guarded.add(key);
    guards.push({ key, expected });
  };

  const commands: RedisCommand[] = [];
  const sums = new Map<string, { sessions: number; events: number; pageViews: number; activeMs: number }>();
  const seen = new Set<string>();
  let duplicates = 0;
  for (const session of sessions) {
    const profile = session.profile;
    let erased = false;
    for (const ref of refsOf(session)) {
      const mark = reads.marks.get(ref) ?? null;
      guard(marks.key(ref), mark);
      const at = erasureTime(mark);
      if (at !== undefined && session.lastActivityAt <= at) erased = true;
    }
    if (erased) continue;

    if (seen.has(session.sessionId) || (reads.counted.get(session.sessionId) ?? null) !== null) {
      duplicates++;
      continue;
    }
    seen.add(session.sessionId);
    const countedKey = keys.baselineCounted(session.sessionId);
    guard(countedKey, null);
    commands.push(['SET', countedKey, '1', 'EX', String(ctx.seenTtlSeconds)]);
    const sum = sums.get(profile) ?? { sessions: 0, events: 0, pageViews: 0, activeMs: 0 };
    sum.sessions += 1;
    sum.events += session.events;
    sum.pageViews += session.pageViews;
    sum.activeMs += session.activeMs;
    sums.set(profile, sum);
  }

  for (const [profile, sum] of sums) {
    const key = keys.profileBaseline(profile);
    for (const field of Object.values(BASELINE_FIELDS)) commands.push(['HINCRBY', key, field, String(sum[field])]);
    commands.push(...profileExpiryCommands(profile, keys, ctx.bounds ?? DEFAULT_STATE_BOUNDS));
  }
  return { commands, guards, profiles: [...sums.keys()], duplicates };
}

function refsOf(session: ClosedSession): string[] {
  return [...new Set([deviceRef(session.anonymousId), ...(session.userId !== undefined ? [userRef(session.userId)] : []), session.profile])];
}

/**
 * The engagement baseline's state changes for a batch of closed sessions
 * (closing.ts), as Redis commands and the guards they depend on: a pure
 * function of the sessions and what the caller read (apply.ts). Tested
 * without Redis.
 *
 * - A session counts for its person: the user id it carries, else the user its
 *   device is linked to now, else the device itself, by the refs the by-user
 *   stage names profiles with (`u:<user id>`, `a:<anonymous id>`). A link read is guarded: a login landing
 *   before the batch's script refuses it, and it is planned for the user.
 * - A session of a person erased after its last activity changes nothing
 *   (../../erasure/marked-events.ts); the marks read are guarded. A session active
 *   after the erasure is the person back, and counts.
 * - A session counts once: the ticker may send a closing snapshot again (a
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
import type { IdentityKeys } from '../../store/identity-keys.js';
import type { ErasureMarks } from '../../erasure/marks.js';
import { erasureTime } from '../../erasure/marked-events.js';
import type { Guard } from '../../store/guarded-batch.js';
import type { StoreKeys } from '../../store/keys.js';
import type { RedisCommand } from '../commands.js';
import type { ClosedSession } from './closing.js';
import { profileExpiryCommands } from '../profiles/commands.js';

/** What the plan depends on, as read from Redis; a value absent from a map reads as null. */
export interface BaselineReads {
  /** Anonymous id → the user id its link names (`IdentityKeys.link`). */
  links: ReadonlyMap<string, string | null>;
  /** Profile ref (a user's or a device's) → its erasure mark (epoch ms, as stored). */
  marks: ReadonlyMap<string, string | null>;
  /** Session id → its `baselineCounted` value. */
  counted: ReadonlyMap<string, string | null>;
}

export interface BaselinePlanContext {
  keys: StoreKeys;
  identityKeys: Pick<IdentityKeys, 'link'>;
  /** Erasure markers, named by their marks (../../erasure/marks.ts). */
  marks: Pick<ErasureMarks, 'key'>;
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

/** The devices whose link decides a session's profile: those of sessions without a user id. */
export function linksToRead(sessions: readonly ClosedSession[]): string[] {
  return [...new Set(sessions.filter((s) => s.userId === undefined).map((s) => s.anonymousId))];
}

/** The refs whose erasure marks the plan needs, once the links are known: each session's device, its user and its profile. */
export function marksToRead(sessions: readonly ClosedSession[], links: BaselineReads['links']): string[] {
  return [...new Set(sessions.flatMap((s) => refsOf(s, profileOf(s, links))))];
}

/** The profile (its ref) a closed session belongs to. */
export function profileOf(session: ClosedSession, links: BaselineReads['links']): string {
  const userId = session.userId ?? links.get(session.anonymousId) ?? undefined;
  return userId !== undefined ? userRef(userId) : deviceRef(session.anonymousId);
}

export function planBaseline(sessions: readonly ClosedSession[], reads: BaselineReads, ctx: BaselinePlanContext): BaselinePlan {
  const { keys, identityKeys, marks } = ctx;
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
    if (session.userId === undefined) guard(identityKeys.link(session.anonymousId), reads.links.get(session.anonymousId) ?? null);
    const profile = profileOf(session, reads.links);
    let erased = false;
    for (const ref of refsOf(session, profile)) {
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

function refsOf(session: ClosedSession, profile: string): string[] {
  return [...new Set([deviceRef(session.anonymousId), ...(session.userId !== undefined ? [userRef(session.userId)] : []), profile])];
}

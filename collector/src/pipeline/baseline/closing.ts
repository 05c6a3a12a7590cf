/**
 * What the engagement baseline takes from a closed session: only a session's
 * closing snapshot (../sessions/snapshot.ts) says how the session ended up.
 * The sessions stage sends it twice: to the compacted `sf.sessions` topic
 * for whoever watches sessions, and to `sf.events.by-user` keyed by the
 * person it counts for, where the aggregates stage adds it to that person's
 * baseline in the partition that owns the profile (../../store/owner.ts).
 */
import { parseProfileRef } from '@sessionflow/core';

/** The fields of a closing snapshot the baseline needs, and the profile (ref) it counts for. */
export interface ClosedSession {
  sessionId: string;
  profile: string;
  anonymousId: string;
  userId?: string;
  /** Edge clock, ms: when the session's last activity arrived; placed against erasure marks. */
  lastActivityAt: number;
  events: number;
  pageViews: number;
  activeMs: number;
}

export type SessionRecord =
  | { kind: 'closed'; session: ClosedSession }
  /** Readable, but nothing for the baseline: an open snapshot, a tombstone, a closing one from before `activeMs` was recorded. */
  | { kind: 'ignored' }
  | { kind: 'unreadable' };

const IGNORED: SessionRecord = { kind: 'ignored' };
const UNREADABLE: SessionRecord = { kind: 'unreadable' };

/** How a closed-session record of the by-user topic starts: what tells it from an event there. */
const CLOSED_SESSION_HEAD = '{"record":"closed-session",';

/**
 * The by-user record of a closed session, keyed by `profile` (the person the
 * sessions stage counted it for): its closing snapshot as the sessions topic
 * has it, and the profile.
 */
export function closedSessionValue(snapshot: string, profile: string): string {
  if (parseProfileRef(profile) === undefined) throw new TypeError('a closed session counts for a profile ref');
  return `${CLOSED_SESSION_HEAD}"profile":${JSON.stringify(profile)},"session":${snapshot}}`;
}

/** True for a by-user record written by closedSessionValue. */
export function isClosedSessionValue(value: string): boolean {
  return value.startsWith(CLOSED_SESSION_HEAD);
}

/** A by-user closed-session record (closedSessionValue). */
export function readClosedSessionValue(value: string): SessionRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    return UNREADABLE;
  }
  if (!isObject(raw) || typeof raw['profile'] !== 'string' || parseProfileRef(raw['profile']) === undefined) return UNREADABLE;
  return readSnapshot(raw['session'], raw['profile']);
}

function readSnapshot(raw: unknown, profile: string): SessionRecord {
  if (!isObject(raw) || typeof raw['sessionId'] !== 'string' || typeof raw['anonymousId'] !== 'string' || !isObject(raw['counts'])) return UNREADABLE;
  if (raw['state'] === 'open') return IGNORED;
  if (raw['state'] !== 'closed') return UNREADABLE;
  const counts = raw['counts'];
  // Averaging zeros for a time the snapshot never measured would drag every mean down.
  if (counts['activeMs'] === undefined) return IGNORED;
  const { events, pageViews, activeMs } = counts;
  const userId = raw['userId'];
  const lastActivityAt = raw['lastActivityAt'];
  if (!isCount(events) || !isCount(pageViews) || !isCount(activeMs)) return UNREADABLE;
  if (userId !== undefined && (typeof userId !== 'string' || userId === '')) return UNREADABLE;
  return {
    kind: 'closed',
    session: {
      sessionId: raw['sessionId'],
      profile,
      anonymousId: raw['anonymousId'],
      ...(userId !== undefined ? { userId } : {}),
      // Without a time it cannot be placed against an erasure: it then counts as activity from before it.
      lastActivityAt: typeof lastActivityAt === 'number' && Number.isFinite(lastActivityAt) ? lastActivityAt : Number.NEGATIVE_INFINITY,
      events,
      pageViews,
      activeMs,
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A non-negative integer that HINCRBY adds exactly. */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

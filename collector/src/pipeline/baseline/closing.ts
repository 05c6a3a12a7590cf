/**
 * What the engagement baseline takes from a `sf.sessions` record: only a
 * session's closing snapshot (../sessions/snapshot.ts) says how the session
 * ended up. Open snapshots show a session still growing, and a tombstone (an
 * erasure, null value) removes a session from the topic, not from a sum.
 */

/** The fields of a closing snapshot the baseline needs. */
export interface ClosedSession {
  sessionId: string;
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

export function readSessionRecord(value: string | null): SessionRecord {
  if (value === null) return IGNORED;
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    return UNREADABLE;
  }
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

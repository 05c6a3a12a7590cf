/**
 * The one session definition (DESIGN.md, "Identity and sessions"), used alike by
 * the SDK, the edge and the pipeline. A session is plain data; `touchSession`
 * is the only transition that moves it forward. Pure: the caller passes the
 * clock reading and the id generator, so every runtime gets the same answer.
 */

export interface SessionState {
  id: string;
  /** Epoch ms of the first activity in this session. */
  startedAt: number;
  /** Epoch ms of the latest activity seen in this session. */
  lastActivityAt: number;
  /** The campaign the session was started from (see campaign.ts); a visit from another campaign starts a new session. */
  campaign?: string | undefined;
}

export interface SessionPolicy {
  /** A quiet spell longer than this ends the session. */
  inactivityGapMs: number;
  /** No session lasts longer than this, however busy (stops bots and open tabs making endless sessions). */
  maxLengthMs: number;
}

export const DEFAULT_SESSION_POLICY: Readonly<SessionPolicy> = Object.freeze({
  inactivityGapMs: 30 * 60_000,
  maxLengthMs: 24 * 3_600_000,
});

/** `campaign` stays undefined (and out of JSON) for a session no campaign started. */
export function startSession(nowMs: number, id: string, campaign?: string): SessionState {
  return { id, startedAt: nowMs, lastActivityAt: nowMs, campaign };
}

/** True when activity at `nowMs` may no longer belong to `session`. */
export function sessionExpired(session: SessionState, nowMs: number, policy: SessionPolicy = DEFAULT_SESSION_POLICY): boolean {
  return nowMs - session.lastActivityAt > policy.inactivityGapMs || nowMs - session.startedAt >= policy.maxLengthMs;
}

/**
 * Records activity at `nowMs`: continues `prev`, or starts a new session (with
 * an id from `newId`) when there is none, the gap was exceeded, the maximum
 * length reached, or the activity arrived from a campaign other than the
 * session's (`campaign` is undefined for activity that names none, which never
 * splits a session). A clock that steps backwards never moves activity back.
 */
export function touchSession(
  prev: SessionState | undefined,
  nowMs: number,
  newId: () => string,
  policy: SessionPolicy = DEFAULT_SESSION_POLICY,
  campaign?: string,
): SessionState {
  if (prev === undefined || sessionExpired(prev, nowMs, policy) || (campaign !== undefined && campaign !== prev.campaign)) {
    return startSession(nowMs, newId(), campaign);
  }
  return { ...prev, lastActivityAt: Math.max(prev.lastActivityAt, nowMs) };
}

/** Guards state read back from storage (localStorage, Durable Object storage), which may be stale or tampered with. */
export function isSessionState(value: unknown): value is SessionState {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  return (
    typeof s['id'] === 'string' &&
    s['id'].length > 0 &&
    Number.isFinite(s['startedAt']) &&
    Number.isFinite(s['lastActivityAt']) &&
    (s['startedAt'] as number) <= (s['lastActivityAt'] as number) &&
    (s['campaign'] === undefined || typeof s['campaign'] === 'string')
  );
}

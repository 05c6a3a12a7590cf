/**
 * The value of a `sf.sessions` record (key: session id). The topic is
 * compacted, so the latest snapshot of a session is what a reader starting
 * from the beginning sees: the closing one once the session ended.
 */
import { cartUnits, signalsOf, type SessionSignals } from '@sessionflow/core';
import type { StoredSession } from './stored.js';

export type SessionSnapshotState = 'open' | 'closed';

export interface SessionSnapshot {
  sessionId: string;
  anonymousId: string;
  userId?: string;
  state: SessionSnapshotState;
  /** Epoch ms by the edge's clock, as the edge folded the session. */
  startedAt: number;
  lastActivityAt: number;
  signals: SessionSignals;
  /** `activeMs`: the dwell events' active time, which the profile's engagement baseline averages (../baseline/). */
  counts: { events: number; pageViews: number; productViews: number; cartItems: number; activeMs: number };
  /** Wall-clock ms when the pipeline took the snapshot. */
  snapshotAt: number;
}

/** The snapshot of `stored` at `nowMs`; the clock-dependent signals (risks) are read at that moment. */
export function sessionSnapshot(stored: StoredSession, state: SessionSnapshotState, nowMs: number): SessionSnapshot {
  const s = stored.state;
  return {
    sessionId: s.id,
    anonymousId: stored.anonymousId,
    ...(s.userId !== undefined ? { userId: s.userId } : {}),
    state,
    startedAt: s.startedAt,
    lastActivityAt: s.lastActivityAt,
    signals: signalsOf(s, nowMs),
    counts: { events: s.events, pageViews: s.pageViews, productViews: s.productViews, cartItems: cartUnits(s.cart), activeMs: s.activeMs },
    snapshotAt: nowMs,
  };
}

/**
 * The visitor's session, persisted in localStorage (`sf_sess`) so every tab of
 * a site shares it, and moved forward by core's one session definition.
 */
import { isSessionState, touchSession, type SessionPolicy, type SessionState } from '@sessionflow/core';
import { ID_PATTERN } from './ids.js';
import type { KeyValueStore } from './storage.js';

export const SESSION_KEY = 'sf_sess';
/**
 * A busy session is written back at most this often: localStorage.setItem is
 * the dearest thing capture does (a synchronous write Chromium ships to another
 * process), and a few seconds of staleness mean nothing against a 30-minute gap.
 */
export const SESSION_WRITE_MS = 5000;

interface StoredSession extends SessionState {
  /** Sequence number of the latest event in this session. */
  seq: number;
}

export interface SessionTick {
  sessionId: string;
  /** 0 for the session's first event, then one more for each. */
  seq: number;
}

export interface SessionStore {
  /** Records an event at `nowMs` (from `campaign`, on a landing): continues or starts the session and numbers the event. */
  touch(nowMs: number, campaign?: string): SessionTick;
  /** The id of the session last touched, without extending it. */
  currentId(): string | undefined;
}

/**
 * `later` runs the write-back of a continued session: the browser's runtime passes the task after capture (the
 * write is not needed for the event's order, which this tab numbers in memory). A new session is written at
 * once: the next event, even in the same task, must find it.
 */
export function sessionStore(store: KeyValueStore, newId: () => string, policy?: SessionPolicy, later: (write: () => void) => unknown = (write) => write()): SessionStore {
  let raw: string | undefined;
  let parsed: StoredSession | undefined;
  // Read every time, as another tab may have moved the session on; parsed only when it did.
  const read = (): StoredSession | undefined => {
    const stored = store.get(SESSION_KEY);
    if (stored === raw) return parsed;
    raw = stored;
    parsed = undefined;
    try {
      const value: unknown = JSON.parse(stored ?? 'null');
      const seq = (value as { seq?: unknown })?.seq;
      if (isSessionState(value) && ID_PATTERN.test(value.id)) parsed = { ...value, seq: Number.isSafeInteger(seq) && (seq as number) >= 0 ? (seq as number) : 0 };
    } catch {
      // Not JSON: as if there were no session.
    }
    return parsed;
  };
  // This tab's latest number in its session: between writes, the store's lags behind.
  let seq = 0;
  let numbered: string | undefined;
  /** A write-back that is due: the latest state, written when `later` runs it. */
  let due: StoredSession | undefined;
  const write = (state: StoredSession) => store.set(SESSION_KEY, JSON.stringify(state));
  return {
    touch(nowMs, campaign) {
      const prev = read();
      const next = touchSession(prev, nowMs, newId, policy, campaign);
      const continued = next.id === prev?.id;
      // Increasing within a tab; tabs numbering at once may share a number, and the timestamp orders those.
      seq = continued ? Math.max(numbered === next.id ? seq : -1, prev.seq) + 1 : 0;
      numbered = next.id;
      const state = { ...next, seq };
      if (!continued) {
        due = undefined;
        write(state);
      } else if (due) due = state;
      else if (nowMs - prev.lastActivityAt >= SESSION_WRITE_MS) {
        due = state;
        later(() => {
          if (due) write(due);
          due = undefined;
        });
      }
      return { sessionId: next.id, seq };
    },
    currentId: () => read()?.id,
  };
}

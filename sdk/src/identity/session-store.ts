/**
 * The visitor's session, persisted in localStorage (`sf_sess`) so every tab of
 * a site shares it, and moved forward by core's one session definition.
 */
import { isSessionState, touchSession, type SessionPolicy, type SessionState } from '@sessionflow/core';
import { ID_PATTERN } from './ids.js';
import type { KeyValueStore } from './storage.js';

export const SESSION_KEY = 'sf_sess';

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

export function sessionStore(store: KeyValueStore, newId: () => string, policy?: SessionPolicy): SessionStore {
  // Read every time: another tab may have moved the session on.
  const read = (): StoredSession | undefined => {
    try {
      const value: unknown = JSON.parse(store.get(SESSION_KEY) ?? 'null');
      if (!isSessionState(value) || !ID_PATTERN.test(value.id)) return undefined;
      const seq = (value as { seq?: unknown }).seq;
      return { ...value, seq: Number.isSafeInteger(seq) && (seq as number) >= 0 ? (seq as number) : 0 };
    } catch {
      return undefined;
    }
  };
  return {
    touch(nowMs, campaign) {
      const prev = read();
      const next = touchSession(prev, nowMs, newId, policy, campaign);
      const seq = next.id === prev?.id ? prev.seq + 1 : 0;
      store.set(SESSION_KEY, JSON.stringify({ ...next, seq }));
      return { sessionId: next.id, seq };
    },
    currentId: () => read()?.id,
  };
}

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

export class SessionStore {
  constructor(
    private readonly store: KeyValueStore,
    private readonly newId: () => string,
    private readonly policy?: SessionPolicy,
  ) {}

  /** Records an event at `nowMs`: continues or starts the session and numbers the event. */
  touch(nowMs: number): SessionTick {
    // Read every time: another tab may have moved the session on.
    const prev = this.read();
    const next = touchSession(prev, nowMs, this.newId, this.policy);
    const seq = prev !== undefined && next.id === prev.id ? prev.seq + 1 : 0;
    this.store.set(SESSION_KEY, JSON.stringify({ ...next, seq } satisfies StoredSession));
    return { sessionId: next.id, seq };
  }

  /** The id of the session last touched, without extending it. */
  currentId(): string | undefined {
    return this.read()?.id;
  }

  private read(): StoredSession | undefined {
    const raw = this.store.get(SESSION_KEY);
    if (raw === undefined) return undefined;
    try {
      const value: unknown = JSON.parse(raw);
      if (!isSessionState(value) || !ID_PATTERN.test(value.id)) return undefined;
      const seq = (value as { seq?: unknown }).seq;
      return { ...value, seq: Number.isSafeInteger(seq) && (seq as number) >= 0 ? (seq as number) : 0 };
    } catch {
      return undefined;
    }
  }
}

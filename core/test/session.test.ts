import { describe, expect, it } from 'vitest';
import { isSessionState, touchSession, type SessionPolicy, type SessionState } from '../src/session/session.js';
import cases from './session.cases.json' with { type: 'json' };

interface TouchCase {
  name: string;
  prev: SessionState | null;
  nowMs: number;
  policy?: SessionPolicy;
  expected: SessionState;
}

const FRESH_ID = 'fresh-session-id';

describe('touchSession', () => {
  it.each(cases.cases as TouchCase[])('$name', ({ prev, nowMs, policy, expected }) => {
    let idsMade = 0;
    const newId = () => {
      idsMade += 1;
      return FRESH_ID;
    };
    const next = touchSession(prev ?? undefined, nowMs, newId, policy);
    expect(next).toEqual(expected);
    // An id is made only for a new session, never to continue one.
    expect(idsMade).toBe(expected.id === FRESH_ID ? 1 : 0);
  });

  it('does not change the session it was given', () => {
    const prev = { id: 'open-session-id', startedAt: 1_700_000_000_000, lastActivityAt: 1_700_000_000_000 };
    const copy = { ...prev };
    touchSession(prev, 1_700_000_060_000, () => FRESH_ID);
    expect(prev).toEqual(copy);
  });
});

describe('isSessionState', () => {
  it.each([
    ['a well-formed session', { id: 's-12345678', startedAt: 1, lastActivityAt: 2 }, true],
    ['null', null, false],
    ['a string', 's-12345678', false],
    ['an empty id', { id: '', startedAt: 1, lastActivityAt: 2 }, false],
    ['a missing start', { id: 's-12345678', lastActivityAt: 2 }, false],
    ['a start given as text', { id: 's-12345678', startedAt: '1', lastActivityAt: 2 }, false],
    ['activity before the start', { id: 's-12345678', startedAt: 5, lastActivityAt: 2 }, false],
    ['NaN times', { id: 's-12345678', startedAt: Number.NaN, lastActivityAt: Number.NaN }, false],
  ])('%s → %s', (_label, value, expected) => {
    expect(isSessionState(value)).toBe(expected);
  });
});

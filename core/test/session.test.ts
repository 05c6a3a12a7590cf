import { describe, expect, it } from 'vitest';
import { isSessionState, touchSession, type SessionPolicy, type SessionState } from '../src/session/session.js';
import { campaignOf } from '../src/session/campaign.js';
import cases from './session.cases.json' with { type: 'json' };

interface TouchCase {
  name: string;
  prev: SessionState | null;
  nowMs: number;
  policy?: SessionPolicy;
  campaign?: string;
  expected: SessionState;
}

const FRESH_ID = 'fresh-session-id';

describe('touchSession', () => {
  it.each(cases.cases as TouchCase[])('$name', ({ prev, nowMs, policy, campaign, expected }) => {
    let idsMade = 0;
    const newId = () => {
      idsMade += 1;
      return FRESH_ID;
    };
    const next = touchSession(prev ?? undefined, nowMs, newId, policy, campaign);
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
    ['a campaign that is not a string', { id: 's-12345678', startedAt: 1, lastActivityAt: 2, campaign: 7 }, false],
  ])('%s → %s', (_label, value, expected) => {
    expect(isSessionState(value)).toBe(expected);
  });
});

describe('campaignOf', () => {
  it.each([
    ['utm parameters', '?utm_source=news&utm_medium=email&utm_campaign=spring', 'news/email/spring'],
    ['only a source', '?utm_source=google', 'google//'],
    ['encoded values', '?utm_campaign=black+friday%2025', '//black friday 25'],
    ['no utm parameters', '?q=shoes', undefined],
    ['empty utm parameters', '?utm_source=&utm_medium=%20', undefined],
  ])('%s', (_name, search, expected) => {
    expect(campaignOf(new URLSearchParams(search))).toBe(expected);
  });

  it('takes anything with get, so core needs no URL parser', () => {
    const asked: string[] = [];
    expect(campaignOf({ get: (name) => (asked.push(name), name === 'utm_medium' ? 'cpc' : null) })).toBe('/cpc/');
    expect(asked).toEqual(['utm_source', 'utm_medium', 'utm_campaign']);
  });
});

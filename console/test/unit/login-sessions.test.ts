import { describe, expect, it } from 'vitest';
import { LoginSessions, MAX_LOGIN_SESSIONS } from '../../src/auth/login-sessions.js';

describe('LoginSessions', () => {
  it('logs the oldest out once MAX_LOGIN_SESSIONS are kept, and keeps the newer ones', () => {
    const sessions = new LoginSessions(60_000, () => 1_000);
    const ids = Array.from({ length: MAX_LOGIN_SESSIONS + 2 }, () => sessions.start());
    expect(sessions.valid(ids[0])).toBe(false);
    expect(sessions.valid(ids[1])).toBe(false);
    expect(ids.slice(2).every((id) => sessions.valid(id))).toBe(true);
  });

  it('ends a session at its expiry and at logout', () => {
    let now = 0;
    const sessions = new LoginSessions(1_000, () => now);
    const a = sessions.start();
    const b = sessions.start();
    sessions.end(b);
    expect([sessions.valid(a), sessions.valid(b)]).toEqual([true, false]);
    now = 1_000;
    expect(sessions.valid(a)).toBe(false);
  });
});

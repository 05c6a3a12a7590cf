import { describe, expect, it } from 'vitest';
import { SESSION_KEY, sessionStore } from '../src/identity/session-store.js';
import { fakeStore, sequentialIds } from './fakes.js';

const T0 = Date.UTC(2025, 0, 15, 9, 0, 0);
const MINUTE = 60_000;

describe('sessionStore', () => {
  it('keeps one session while events come within 30 minutes, numbering them from 0', () => {
    const store = sessionStore(fakeStore(), sequentialIds('sess'));
    const ticks = [T0, T0 + 10 * MINUTE, T0 + 39 * MINUTE, T0 + 69 * MINUTE].map((t) => store.touch(t));
    expect(ticks).toEqual([
      { sessionId: 'sess-00000001', seq: 0 },
      { sessionId: 'sess-00000001', seq: 1 },
      { sessionId: 'sess-00000001', seq: 2 },
      { sessionId: 'sess-00000001', seq: 3 },
    ]);
  });

  it('starts a new session, numbered from 0 again, after more than 30 minutes of quiet', () => {
    const store = sessionStore(fakeStore(), sequentialIds('sess'));
    store.touch(T0);
    store.touch(T0 + MINUTE);
    expect(store.touch(T0 + 32 * MINUTE)).toEqual({ sessionId: 'sess-00000002', seq: 0 });
    expect(store.currentId()).toBe('sess-00000002');
  });

  it('is shared through storage, as tabs of one site share localStorage', () => {
    const storage = fakeStore();
    const tabA = sessionStore(storage, sequentialIds('a'));
    const tabB = sessionStore(storage, sequentialIds('b'));
    tabA.touch(T0);
    expect(tabB.touch(T0 + MINUTE)).toEqual({ sessionId: 'a-00000001', seq: 1 });
    expect(tabA.touch(T0 + 2 * MINUTE)).toEqual({ sessionId: 'a-00000001', seq: 2 });
  });

  it('numbers a busy session in memory and writes it back at most every 5 s', () => {
    const storage = fakeStore();
    const store = sessionStore(storage, sequentialIds('sess'));
    const writes: string[] = [];
    const set = storage.set;
    storage.set = (key, value) => (writes.push(value), set(key, value));
    const seqs = [0, 1000, 2000, 4999, 5000, 6000].map((ms) => store.touch(T0 + ms).seq);
    expect(seqs).toEqual([0, 1, 2, 3, 4, 5]);
    // The start, then the first event 5 s after the last written activity.
    expect(writes.map((w) => JSON.parse(w) as { lastActivityAt: number; seq: number })).toEqual([
      expect.objectContaining({ lastActivityAt: T0, seq: 0 }),
      expect.objectContaining({ lastActivityAt: T0 + 5000, seq: 4 }),
    ]);
  });

  it('writes a busy session back later, with its latest state, but a new session at once', () => {
    const storage = fakeStore();
    const due: (() => void)[] = [];
    const store = sessionStore(storage, sequentialIds('sess'), undefined, (write) => due.push(write));
    const stored = () => JSON.parse(storage.values.get(SESSION_KEY) ?? 'null') as { id: string; lastActivityAt: number; seq: number } | null;
    store.touch(T0);
    // A new session is there for the next event at once, even in the same task.
    expect(stored()).toMatchObject({ id: 'sess-00000001', lastActivityAt: T0, seq: 0 });
    expect(due).toHaveLength(0);
    store.touch(T0 + 5000);
    store.touch(T0 + 5001);
    expect(stored()).toMatchObject({ lastActivityAt: T0, seq: 0 });
    expect(due).toHaveLength(1);
    due.shift()!();
    expect(stored()).toMatchObject({ id: 'sess-00000001', lastActivityAt: T0 + 5001, seq: 2 });
    // After more than 30 minutes of quiet the next session, too, is written at once.
    store.touch(T0 + 32 * MINUTE);
    expect(stored()).toMatchObject({ id: 'sess-00000002', seq: 0 });
    expect(due).toHaveLength(0);
  });

  it('reads a session persisted by an earlier page', () => {
    const storage = fakeStore({
      [SESSION_KEY]: JSON.stringify({ id: 'kept-session-1', startedAt: T0, lastActivityAt: T0 + 5 * MINUTE, seq: 7 }),
    });
    expect(sessionStore(storage, sequentialIds()).touch(T0 + 6 * MINUTE)).toEqual({ sessionId: 'kept-session-1', seq: 8 });
  });

  it.each([
    ['not JSON', '{oops'],
    ['a bad id', JSON.stringify({ id: 'has spaces in it', startedAt: T0, lastActivityAt: T0 })],
    ['missing times', JSON.stringify({ id: 'kept-session-1' })],
  ])('starts afresh when storage holds %s', (_label, raw) => {
    const store = sessionStore(fakeStore({ [SESSION_KEY]: raw }), sequentialIds('new'));
    expect(store.currentId()).toBeUndefined();
    expect(store.touch(T0)).toEqual({ sessionId: 'new-00000001', seq: 0 });
  });

  it('does not extend the session when only asked for its id', () => {
    const storage = fakeStore();
    const store = sessionStore(storage, sequentialIds('sess'));
    store.touch(T0);
    const before = storage.values.get(SESSION_KEY);
    expect(store.currentId()).toBe('sess-00000001');
    expect(storage.values.get(SESSION_KEY)).toBe(before);
  });
});

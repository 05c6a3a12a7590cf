import { describe, expect, it } from 'vitest';
import { planSessionEvents, type FoldPlanContext } from '../../src/pipeline/sessions/fold-plan.js';
import { sessionKeys } from '../../src/pipeline/sessions/keys.js';
import type { StoredSession } from '../../src/pipeline/sessions/stored.js';
import { addToCart, pageView, productClick, T0 } from './events.js';
import { MemoryStore } from './memory-store.js';

const keys = sessionKeys('t');
const ctx: FoldPlanContext = { keys, topic: 't.events', partition: 1, seenTtlSeconds: 60, snapshotIntervalMs: 5_000 };
const open = keys.open('t.events', 1);
const due = keys.due('t.events', 1);

function fold(store: MemoryStore, events: Parameters<typeof planSessionEvents>[0]): void {
  const stored = new Map<string, StoredSession>();
  for (const id of new Set(events.map((e) => e.sessionId))) {
    const session = store.session(keys, id);
    if (session) stored.set(id, session);
  }
  store.run(planSessionEvents(events, stored, ctx));
}

describe('planSessionEvents', () => {
  it('folds events into the session their id names, by the edge arrival clock, and makes a new session due at once', () => {
    const store = new MemoryStore();
    const first = pageView('s-1', T0);
    fold(store, [first, productClick('s-1', T0 + 1_000, 'mug', 'kitchen'), addToCart('s-1', T0 + 2_000, 'mug')]);

    const session = store.session(keys, 's-1');
    expect(session).toMatchObject({ anonymousId: 'anon-of-s-1', version: 3 });
    expect(session?.state).toMatchObject({ id: 's-1', startedAt: T0, lastActivityAt: T0 + 2_000, events: 3, pageViews: 1, productViews: 1, cart: { mug: 1 } });
    expect(store.members(open)).toEqual(new Map([['s-1', T0 + 2_000]]));
    expect(store.members(due)).toEqual(new Map([['s-1', T0 + 2_000]]));
    expect(store.strings.get(keys.seenEvent(first.eventId))).toBe('1');
  });

  it('indexes each session under its device, which an erasure of the device reads, and lets the index expire', () => {
    const store = new MemoryStore();
    fold(store, [pageView('s-1', T0), pageView('s-2', T0 + 1_000)]);
    fold(store, [pageView('s-1', T0 + 2_000)]);
    expect(store.sets.get(keys.device('anon-of-s-1'))).toEqual(new Set(['s-1']));
    expect(store.sets.get(keys.device('anon-of-s-2'))).toEqual(new Set(['s-2']));
    expect(store.expiring.has(keys.device('anon-of-s-1'))).toBe(true);
  });

  it('counts an event once when it comes again in the same batch (a later batch never sees it: apply.ts skips ids counted before)', () => {
    const store = new MemoryStore();
    const view = pageView('s-1', T0);
    fold(store, [view, view]);
    expect(store.session(keys, 's-1')).toMatchObject({ version: 1, state: { events: 1, pageViews: 1 } });
  });

  it("stores the session without the fold's recent event ids, and folds later batches onto it all the same", () => {
    const store = new MemoryStore();
    fold(store, [pageView('s-1', T0), productClick('s-1', T0 + 1_000, 'mug', 'kitchen')]);
    expect(store.session(keys, 's-1')?.state.recentEventIds).toEqual([]);
    fold(store, [addToCart('s-1', T0 + 2_000, 'mug'), pageView('s-1', T0 + 3_000)]);
    const session = store.session(keys, 's-1');
    expect(session).toMatchObject({ version: 4, state: { events: 4, pageViews: 2, productViews: 1, cart: { mug: 1 }, recentEventIds: [] } });
  });

  it('keeps one session per id however long the pause: the edge decides where sessions end', () => {
    const store = new MemoryStore();
    fold(store, [pageView('s-1', T0)]);
    fold(store, [pageView('s-1', T0 + 2 * 3_600_000)]);
    expect(store.session(keys, 's-1')?.state).toMatchObject({ startedAt: T0, lastActivityAt: T0 + 2 * 3_600_000, events: 2, pageViews: 2 });
  });

  it('keeps sessions of different ids apart', () => {
    const store = new MemoryStore();
    fold(store, [pageView('s-1', T0), pageView('s-2', T0 + 5), pageView('s-1', T0 + 10)]);
    expect(store.session(keys, 's-1')?.state.events).toBe(2);
    expect(store.session(keys, 's-2')?.state.events).toBe(1);
    expect(store.members(open)).toEqual(new Map([['s-1', T0 + 10], ['s-2', T0 + 5]]));
  });

  it('after a snapshot, makes new activity due no sooner than the interval after it, and keeps an earlier turn', () => {
    const store = new MemoryStore();
    fold(store, [pageView('s-1', T0)]);
    store.run([
      ['HSET', keys.session('s-1'), 'lastSnapshotAt', String(T0 + 500), 'snapshotVersion', '1'],
      ['ZREM', due, 's-1'],
    ]);
    fold(store, [pageView('s-1', T0 + 1_000)]);
    expect(store.members(due).get('s-1')).toBe(T0 + 5_500);
    fold(store, [pageView('s-1', T0 + 9_000)]);
    expect(store.members(due).get('s-1')).toBe(T0 + 5_500);
  });

  it('reopens a closed session on a late event, with what it had, and keeps it again', () => {
    const store = new MemoryStore();
    fold(store, [pageView('s-1', T0)]);
    store.run([
      ['HSET', keys.session('s-1'), 'closedAt', String(T0 + 40 * 60_000)],
      ['EXPIRE', keys.session('s-1'), '60'],
      ['ZREM', open, 's-1'],
    ]);
    fold(store, [pageView('s-1', T0 + 41 * 60_000)]);
    const session = store.session(keys, 's-1');
    expect(session?.closedAt).toBeUndefined();
    expect(session?.state.events).toBe(2);
    expect(store.expiring.has(keys.session('s-1'))).toBe(false);
    expect(store.members(open).get('s-1')).toBe(T0 + 41 * 60_000);
  });
});

import { describe, expect, it } from 'vitest';
import { planSessionEvents, type FoldPlanContext } from '../../src/pipeline/sessions/fold-plan.js';
import { sessionKeys } from '../../src/pipeline/sessions/keys.js';
import { SESSION_FIELDS, type StoredSession } from '../../src/pipeline/sessions/stored.js';
import { DEFAULT_STATE_BOUNDS, deviceSessionsTtlSeconds, type StateBounds } from '../../src/store/bounds.js';
import { addToCart, pageView, productClick, T0 } from './events.js';
import { MemoryStore } from './memory-store.js';

// The sessions stage's keys of one events partition: its sessions and its open and due indexes.
const keys = sessionKeys('t', 't.events', 1);
const ctx: FoldPlanContext = { keys, seenTtlSeconds: 60, snapshotIntervalMs: 5_000 };
const { open, due } = keys;

function fold(store: MemoryStore, events: Parameters<typeof planSessionEvents>[0], bounds?: StateBounds): void {
  const stored = new Map<string, StoredSession>();
  for (const id of new Set(events.map((e) => e.sessionId))) {
    const session = store.session(keys, id);
    if (session) stored.set(id, session);
  }
  store.run(planSessionEvents(events, stored, bounds ? { ...ctx, bounds } : ctx));
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

  it('keeps the device class of the first event that names one, with one HSETNX per session and batch', () => {
    const store = new MemoryStore();
    const on = (event: ReturnType<typeof pageView>, device?: string) => ({ ...event, ingest: { ...event.ingest, ...(device === undefined ? {} : { device }) } }) as typeof event;
    const batch = [on(pageView('s-1', T0)), on(pageView('s-1', T0 + 1_000), 'mobile'), on(pageView('s-1', T0 + 2_000), 'desktop'), on(pageView('s-2', T0), 'desktop')];
    const commands = planSessionEvents(batch, new Map(), ctx);
    expect(commands.filter((c) => c[0] === 'HSETNX' && c[2] === SESSION_FIELDS.device)).toEqual([
      ['HSETNX', keys.session('s-1'), SESSION_FIELDS.device, 'mobile'],
      ['HSETNX', keys.session('s-2'), SESSION_FIELDS.device, 'desktop'],
    ]);
    store.run(commands);
    // A later batch does not change it: HSETNX keeps the first.
    fold(store, [on(pageView('s-1', T0 + 3_000), 'desktop')]);
    expect(store.hashes.get(keys.session('s-1'))?.get(SESSION_FIELDS.device)).toBe('mobile');
  });

  it('indexes each session under its device by its latest activity, which an erasure of the device reads, and lets the index expire', () => {
    const store = new MemoryStore();
    fold(store, [pageView('s-1', T0), pageView('s-2', T0 + 1_000)]);
    fold(store, [pageView('s-1', T0 + 2_000)]);
    expect(store.members(keys.device('anon-of-s-1'))).toEqual(new Map([['s-1', T0 + 2_000]]));
    expect(store.members(keys.device('anon-of-s-2'))).toEqual(new Map([['s-2', T0 + 1_000]]));
    // As long as any state kept per session: the recommendation model's 30 days by default.
    expect(store.expiring.get(keys.device('anon-of-s-1'))).toBe(deviceSessionsTtlSeconds(DEFAULT_STATE_BOUNDS));
    expect(deviceSessionsTtlSeconds(DEFAULT_STATE_BOUNDS)).toBeGreaterThanOrEqual(DEFAULT_STATE_BOUNDS.sessionTtlSeconds);
  });

  it("keeps a device's most recently active sessions only, as many as the bound", () => {
    const store = new MemoryStore();
    const bounds: StateBounds = { ...DEFAULT_STATE_BOUNDS, profileSessionsKept: 2 };
    const device = (sessionId: string, at: number) => ({ ...pageView(sessionId, at), anonymousId: 'anon-x' });
    fold(store, [device('s-1', T0), device('s-2', T0 + 1_000)], bounds);
    fold(store, [device('s-3', T0 + 2_000)], bounds);
    expect([...store.members(keys.device('anon-x')).keys()].sort()).toEqual(['s-2', 's-3']);
    // A session active again moves up: s-2 is now the oldest, and goes when s-4 comes.
    fold(store, [device('s-3', T0 + 3_000), device('s-4', T0 + 4_000)], bounds);
    expect([...store.members(keys.device('anon-x')).keys()].sort()).toEqual(['s-3', 's-4']);
  });

  it("keeps a session's state for the session TTL after its last event, and the indexes free of sessions quiet for longer", () => {
    const store = new MemoryStore();
    const bounds: StateBounds = { ...DEFAULT_STATE_BOUNDS, sessionTtlSeconds: 3_600 };
    fold(store, [pageView('s-old', T0)], bounds);
    expect(store.expiring.get(keys.session('s-old'))).toBe(3_600);
    // An hour and more later, another session's batch drops the old one's index entries: its hash has expired by then.
    fold(store, [pageView('s-new', T0 + 3_600_001)], bounds);
    expect([...store.members(open).keys()]).toEqual(['s-new']);
    expect([...store.members(due).keys()]).toEqual(['s-new']);
    fold(store, [pageView('s-other', T0 + 3_600_002)], bounds);
    expect([...store.members(open).keys()].sort()).toEqual(['s-new', 's-other']);
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
    // Kept as an open session again: the session TTL from its latest event, no longer the closed one's 60 s.
    expect(store.expiring.get(keys.session('s-1'))).toBe(DEFAULT_STATE_BOUNDS.sessionTtlSeconds);
    expect(store.members(open).get('s-1')).toBe(T0 + 41 * 60_000);
  });
});

/**
 * The engagement baseline: closing snapshots (made here by the sessions
 * stage's own `sessionSnapshot` over core's fold) travel to the by-user topic
 * keyed by the person they count for (baseline/closing.ts); the by-user
 * partition that owns the person turns them into HINCRBYs of the person's
 * sums, what it reads guarded, each session once; and the read API shows
 * the means of the sums.
 */
import { describe, expect, it } from 'vitest';
import { foldEvent, topicNames, type IngestedEvent, type OpenSession } from '@sessionflow/core';
import type { RedisCommand } from '../src/pipeline/commands.js';
import { applyBatch, type ApplyDeps, type BatchMessage } from '../src/pipeline/apply.js';
import { closedSessionValue, isClosedSessionValue, readClosedSessionValue, type ClosedSession } from '../src/pipeline/baseline/closing.js';
import { marksToRead, planBaseline, type BaselineReads } from '../src/pipeline/baseline/plan.js';
import { baselineOf } from '../src/pipeline/baseline/view.js';
import { sessionSnapshot, type SessionSnapshotState } from '../src/pipeline/sessions/snapshot.js';
import { erasureMarks } from '../src/erasure/marks.js';
import { storeKeys } from '../src/store/keys.js';
import { stateLayout } from '../src/store/layout.js';
import { hashTagOf, OwnerMismatchError } from '../src/store/owner.js';
import { profileExpiryCommands } from '../src/pipeline/profiles/commands.js';
import { DEFAULT_STATE_BOUNDS } from '../src/store/bounds.js';
import { pageView, productClick, sessionEvent, T0 } from './sessions/events.js';
import { fakeStore } from './fake-store.js';

const topics = topicNames('t');
const PARTITION = 2;
// The keys and erasure markers of the by-user partition that applies the batch: it owns every session's profile.
const keys = storeKeys('t', topics.eventsByUser, PARTITION);
const allMarks = erasureMarks('t', 'test-erasure-secret');
const marks = allMarks.at(topics.eventsByUser, PARTITION);
const ctx = { keys, marks, seenTtlSeconds: 600 };
const NO_READS: BaselineReads = { marks: new Map(), counted: new Map() };

const dwell = (sessionId: string, at: number, activeMs: number) => sessionEvent(sessionId, at, { type: 'dwell', activeMs });
const identify = (sessionId: string, at: number, userId: string) => sessionEvent(sessionId, at, { type: 'identify', userId });

/** The sessions topic's value for the session the events fold into (their anonymous id: `anon-of-<sessionId>`). */
function snapshotValue(state: SessionSnapshotState, events: readonly IngestedEvent[]): string {
  let session: OpenSession | undefined;
  for (const event of events) session = foldEvent(session, event, event.ingest!.receivedAt, () => event.sessionId);
  const stored = { state: session!, anonymousId: events[0]!.anonymousId, version: events.length };
  return JSON.stringify(sessionSnapshot(stored, state, session!.lastActivityAt + 60_000));
}

/** A closing snapshot as the by-user topic carries it, counted for `profile`. */
function closed(snapshot: string, profile: string): ClosedSession {
  const read = readClosedSessionValue(closedSessionValue(snapshot, profile));
  if (read.kind !== 'closed') throw new Error(`not a closing snapshot: ${read.kind}`);
  return read.session;
}

const loggedInSnapshot = () => snapshotValue('closed', [pageView('s-1', T0), identify('s-1', T0 + 1_000, 'user-1'), pageView('s-1', T0 + 2_000), dwell('s-1', T0 + 3_000, 1_500)]);
const anonymousSnapshot = () => snapshotValue('closed', [pageView('s-2', T0), productClick('s-2', T0 + 1_000, 'mug', 'kitchen'), dwell('s-2', T0 + 2_000, 700)]);
/** s-1: 4 events, 2 page views, 1,500 ms active; the user logs in on it, and it counts for the user. */
const loggedIn = () => closed(loggedInSnapshot(), 'u:user-1');
/** s-2: 3 events, 1 page view, 700 ms active; anonymous throughout: it counts for `profile` (its device's own, unless its device was linked when it closed). */
const anonymous = (profile = 'a:anon-of-s-2') => closed(anonymousSnapshot(), profile);

/** The hashes the HINCRBYs leave, as field → sum. */
function sums(commands: readonly RedisCommand[], state = new Map<string, Record<string, string>>()): Map<string, Record<string, string>> {
  for (const [name, key = '', field = '', by = '0'] of commands) {
    if (name !== 'HINCRBY') continue;
    const hash = state.get(key) ?? {};
    hash[field] = String(Number(hash[field] ?? 0) + Number(by));
    state.set(key, hash);
  }
  return state;
}

describe('closed-session records of the by-user topic', () => {
  it('carry the counts and ids of a closing snapshot, active time included, and the profile it counts for', () => {
    expect(loggedIn()).toEqual({ sessionId: 's-1', profile: 'u:user-1', anonymousId: 'anon-of-s-1', userId: 'user-1', lastActivityAt: T0 + 3_000, events: 4, pageViews: 2, activeMs: 1_500 });
    expect(anonymous('u:user-2')).toMatchObject({ sessionId: 's-2', profile: 'u:user-2', anonymousId: 'anon-of-s-2' });
    expect(anonymous('u:user-2').userId).toBeUndefined();
  });

  it('are told apart from the events beside them on the topic', () => {
    expect(isClosedSessionValue(closedSessionValue(anonymousSnapshot(), 'a:anon-of-s-2'))).toBe(true);
    expect(isClosedSessionValue(JSON.stringify(pageView('s-2', T0)))).toBe(false);
    expect(isClosedSessionValue(anonymousSnapshot())).toBe(false);
  });

  it('count for a profile ref only: a raw id would name someone else', () => {
    expect(() => closedSessionValue(anonymousSnapshot(), 'anon-of-s-2')).toThrow(/profile ref/);
    const forged = closedSessionValue(anonymousSnapshot(), 'a:anon-of-s-2').replace('"a:anon-of-s-2"', '"anon-of-s-2"');
    expect(readClosedSessionValue(forged)).toEqual({ kind: 'unreadable' });
  });

  it('ignore open snapshots and closing snapshots that predate the active time', () => {
    expect(readClosedSessionValue(closedSessionValue(snapshotValue('open', [pageView('s-3', T0), dwell('s-3', T0 + 1, 900)]), 'a:anon-of-s-3'))).toEqual({ kind: 'ignored' });
    const older = JSON.parse(snapshotValue('closed', [pageView('s-4', T0)])) as { counts: Record<string, number> };
    delete older.counts['activeMs'];
    expect(readClosedSessionValue(closedSessionValue(JSON.stringify(older), 'a:anon-of-s-4'))).toEqual({ kind: 'ignored' });
  });

  it('tell records they cannot read apart', () => {
    expect(readClosedSessionValue('not json')).toEqual({ kind: 'unreadable' });
    const fractional = JSON.stringify({ sessionId: 's', anonymousId: 'a', state: 'closed', counts: { events: 1.5, pageViews: 0, activeMs: 0 } });
    expect(readClosedSessionValue(closedSessionValue(fractional, 'a:a'))).toEqual({ kind: 'unreadable' });
  });
});

describe('planBaseline', () => {
  it("adds a closed session of a user to the user's sums and remembers the session as counted", () => {
    const plan = planBaseline([loggedIn()], NO_READS, ctx);
    expect(plan.commands).toEqual([
      ['SET', keys.baselineCounted('s-1'), '1', 'EX', '600'],
      ['HINCRBY', keys.profileBaseline('u:user-1'), 'sessions', '1'],
      ['HINCRBY', keys.profileBaseline('u:user-1'), 'events', '4'],
      ['HINCRBY', keys.profileBaseline('u:user-1'), 'pageViews', '2'],
      ['HINCRBY', keys.profileBaseline('u:user-1'), 'activeMs', '1500'],
      // A counted session is activity: the user's whole profile is kept for the user's quiet period from now.
      ...profileExpiryCommands('u:user-1', keys, DEFAULT_STATE_BOUNDS),
    ]);
    expect(plan.commands.at(-1)).toEqual(['EXPIRE', keys.profileBaseline('u:user-1'), String(DEFAULT_STATE_BOUNDS.userProfileTtlSeconds)]);
    expect(plan.profiles).toEqual(['u:user-1']);
    expect(plan.guards).toEqual(
      expect.arrayContaining([
        { key: keys.baselineCounted('s-1'), expected: null },
        { key: marks.key('a:anon-of-s-1'), expected: null },
        { key: marks.key('u:user-1'), expected: null },
      ]),
    );
  });

  it("keeps a device's own baseline for the anonymous quiet period", () => {
    const plan = planBaseline([anonymous()], NO_READS, { ...ctx, bounds: { ...DEFAULT_STATE_BOUNDS, anonymousProfileTtlSeconds: 77 } });
    expect(plan.commands).toContainEqual(['EXPIRE', keys.profileBaseline('a:anon-of-s-2'), '77']);
    expect(plan.commands).toContainEqual(['EXPIRE', keys.profile('a:anon-of-s-2'), '77']);
  });

  it('sums the sessions of one person in a batch, the same as one batch per session', () => {
    const second = { ...anonymous('u:user-1'), userId: 'user-1' };
    const together = sums(planBaseline([loggedIn(), second], NO_READS, ctx).commands);
    const apart = sums(planBaseline([second], NO_READS, ctx).commands, sums(planBaseline([loggedIn()], NO_READS, ctx).commands));
    expect(together.get(keys.profileBaseline('u:user-1'))).toEqual({ sessions: '2', events: '7', pageViews: '3', activeMs: '2200' });
    expect(apart).toEqual(together);
  });

  it('counts an anonymous session for the profile its record names (its device was linked when it closed), and guards that profile\'s mark', () => {
    const plan = planBaseline([anonymous('u:user-2')], NO_READS, ctx);
    expect([...sums(plan.commands).keys()]).toEqual([keys.profileBaseline('u:user-2')]);
    expect(plan.profiles).toEqual(['u:user-2']);
    expect(plan.guards).toEqual(expect.arrayContaining([{ key: marks.key('u:user-2'), expected: null }, { key: marks.key('a:anon-of-s-2'), expected: null }]));
    expect(marksToRead([anonymous('u:user-2')]).sort()).toEqual(['a:anon-of-s-2', 'u:user-2']);
  });

  it("counts a session of a device linked to nobody for the device, and reads and writes nothing outside the batch's partition", () => {
    const plan = planBaseline([anonymous()], NO_READS, ctx);
    expect(sums(plan.commands).get(keys.profileBaseline('a:anon-of-s-2'))).toEqual({ sessions: '1', events: '3', pageViews: '1', activeMs: '700' });
    const tag = hashTagOf(keys.offset);
    expect(plan.guards.filter((g) => hashTagOf(g.key) !== tag)).toEqual([]);
    expect(plan.commands.filter((c) => hashTagOf(c[1] ?? '') !== tag)).toEqual([]);
  });

  it('counts a session once: a closing snapshot sent again, in the same batch or a later one, changes nothing', () => {
    const twice = planBaseline([loggedIn(), loggedIn()], NO_READS, ctx);
    expect(sums(twice.commands).get(keys.profileBaseline('u:user-1'))?.['sessions']).toBe('1');
    expect(twice.duplicates).toBe(1);

    const again = planBaseline([loggedIn()], { ...NO_READS, counted: new Map([['s-1', '1']]) }, ctx);
    expect(again.commands).toEqual([]);
    expect(again.profiles).toEqual([]);
    expect(again.duplicates).toBe(1);
  });

  it('drops the session of a person erased after its last activity, whichever of its ids was erased, and guards the marks', () => {
    const erasedAt = String(T0 + 10_000);
    for (const ref of ['u:user-1', 'a:anon-of-s-1']) {
      const plan = planBaseline([loggedIn()], { ...NO_READS, marks: new Map([[ref, erasedAt]]) }, ctx);
      expect(plan.commands).toEqual([]);
      expect(plan.guards).toContainEqual({ key: marks.key(ref), expected: erasedAt });
    }
    // A device id and a user id that read alike are different people: erasing one keeps the other's session.
    expect(planBaseline([loggedIn()], { ...NO_READS, marks: new Map([['a:user-1', erasedAt], ['u:anon-of-s-1', erasedAt]]) }, ctx).commands).not.toEqual([]);
    // The profile the record names counts too: an anonymous session counted for an erased user is dropped.
    expect(planBaseline([anonymous('u:user-2')], { ...NO_READS, marks: new Map([['u:user-2', erasedAt]]) }, ctx).commands).toEqual([]);
  });

  it('counts a session active after the erasure: the person came back', () => {
    const plan = planBaseline([loggedIn()], { ...NO_READS, marks: new Map([['u:user-1', String(T0 + 1_000)]]) }, ctx);
    expect(sums(plan.commands).get(keys.profileBaseline('u:user-1'))?.['sessions']).toBe('1');
  });
});

describe('applyBatch on closed sessions of the by-user topic', () => {
  const layout = stateLayout('t', { events: 4, eventsByUser: 4, products: 2, inventory: 2 });
  /** A user whose by-user partition is `partition`: the records of a batch are all its partition's. */
  const userOwnedBy = (partition: number, from = 0): string => {
    for (let i = from; ; i++) if (layout.owners.eventsByUser.of(`u:user-${i}`) === partition) return `user-${i}`;
  };
  const P = layout.owners.eventsByUser.of('u:user-1');
  const here = layout.byUser(P);
  const marksHere = allMarks.at(topics.eventsByUser, P);
  const deps = (store: ReturnType<typeof fakeStore>): ApplyDeps => ({ redis: store.client, layout, marks: allMarks, seenTtlSeconds: 600 });
  const batch = (messages: BatchMessage[], partition = P) => ({ topic: topics.eventsByUser, partition, messages });
  const record = (offset: number, profile: string, snapshot: string): BatchMessage => ({ offset: String(offset), key: profile, value: closedSessionValue(snapshot, profile) });

  it("adds each session to its profile's baseline in the profile's partition, with the offset, all in one script of that partition", async () => {
    const other = `u:${userOwnedBy(P, 2)}`;
    const store = fakeStore();
    const outcome = await applyBatch(deps(store), batch([record(5, 'u:user-1', loggedInSnapshot()), record(6, other, anonymousSnapshot()), { offset: '7', key: 'u:user-1', value: '{"record":"closed-session", cut short' }]));
    expect(outcome).toMatchObject({ applied: 3, replayed: 0, duplicates: 0, unreadable: 1 });
    expect(outcome.profiles?.sort()).toEqual(['u:user-1', other].sort());
    expect(store.batches).toHaveLength(1);
    const [sent] = store.batches;
    expect(sums(sent!.commands)).toEqual(
      new Map([
        [here.profileBaseline('u:user-1'), { sessions: '1', events: '4', pageViews: '2', activeMs: '1500' }],
        [here.profileBaseline(other), { sessions: '1', events: '3', pageViews: '1', activeMs: '700' }],
      ]),
    );
    expect(sent!.commands.at(-1)).toEqual(['SET', here.offset, '8']);
    expect(sent!.guards).toEqual(expect.arrayContaining([{ key: here.offset, expected: null }, { key: marksHere.key('u:user-1'), expected: null }, { key: here.baselineCounted('s-1'), expected: null }]));
    // One slot: the declared keys, the guards and the commands are all the partition's.
    expect(new Set(sent!.keys.map(hashTagOf))).toEqual(new Set([hashTagOf(here.offset)]));
  });

  it("skips records below the stored offset and reads the person's erasure mark in the partition's own slot", async () => {
    const store = fakeStore({ [here.offset]: '4', [marksHere.key('u:user-1')]: String(T0 + 5_000) });
    const messages = [record(3, 'u:user-1', loggedInSnapshot()), record(4, 'u:user-1', loggedInSnapshot())];
    const outcome = await applyBatch(deps(store), batch(messages));
    expect(outcome).toMatchObject({ applied: 1, replayed: 1, profiles: [] });
    const [sent] = store.batches;
    expect(sent!.commands).toEqual([['SET', here.offset, '5']]);
    expect(sent!.guards).toContainEqual({ key: marksHere.key('u:user-1'), expected: String(T0 + 5_000) });

    const done = fakeStore({ [here.offset]: '5' });
    expect(await applyBatch(deps(done), batch(messages))).toMatchObject({ applied: 0, replayed: 2 });
    expect(done.batches).toEqual([]);
  });

  it('stops rather than write where no reader looks: a record keyed by a profile another partition owns', async () => {
    const elsewhere = `u:${userOwnedBy((P + 1) % 4)}`;
    const store = fakeStore();
    await expect(applyBatch(deps(store), batch([record(1, elsewhere, loggedInSnapshot())]))).rejects.toThrow(OwnerMismatchError);
    expect(store.batches).toEqual([]);
  });
});

describe('baselineOf', () => {
  it('shows the means per session of the stored sums', () => {
    expect(baselineOf({ sessions: '4', events: '30', pageViews: '6', activeMs: '10000' })).toEqual({ sessions: 4, avgEvents: 7.5, avgPageViews: 1.5, avgActiveMs: 2_500 });
  });

  it('shows nothing before a session was counted', () => {
    expect(baselineOf({})).toBeUndefined();
    expect(baselineOf({ sessions: '0', events: '0', pageViews: '0', activeMs: '0' })).toBeUndefined();
  });
});

/**
 * The engagement baseline's planner: closing snapshots of the sessions topic
 * (made here by the sessions stage's own `sessionSnapshot` over core's fold)
 * → HINCRBYs of the person's sums, what it reads guarded, each session once;
 * and the means the read API shows of the sums.
 */
import { describe, expect, it } from 'vitest';
import { foldEvent, type IngestedEvent, type OpenSession } from '@sessionflow/core';
import type { RedisCommand } from '../src/pipeline/commands.js';
import { planSessionsBatch } from '../src/pipeline/baseline/apply.js';
import { readSessionRecord, type ClosedSession } from '../src/pipeline/baseline/closing.js';
import { planBaseline, type BaselineReads } from '../src/pipeline/baseline/plan.js';
import { baselineOf } from '../src/pipeline/baseline/view.js';
import { sessionSnapshot, type SessionSnapshotState } from '../src/pipeline/sessions/snapshot.js';
import type { StoreClient } from '../src/store/client.js';
import { identityKeys } from '../src/store/identity-keys.js';
import { erasureMarks } from '../src/erasure/marks.js';
import { storeKeys } from '../src/store/keys.js';
import { profileExpiryCommands } from '../src/pipeline/profiles/commands.js';
import { DEFAULT_STATE_BOUNDS } from '../src/store/bounds.js';
import { pageView, productClick, sessionEvent, T0 } from './sessions/events.js';

const keys = storeKeys('t');
const idKeys = identityKeys('t');
const marks = erasureMarks('t', 'test-erasure-secret');
const ctx = { keys, identityKeys: idKeys, marks, seenTtlSeconds: 600 };
const NO_READS: BaselineReads = { links: new Map(), marks: new Map(), counted: new Map() };

const dwell = (sessionId: string, at: number, activeMs: number) => sessionEvent(sessionId, at, { type: 'dwell', activeMs });
const identify = (sessionId: string, at: number, userId: string) => sessionEvent(sessionId, at, { type: 'identify', userId });

/** The sessions topic's value for the session the events fold into (their anonymous id: `anon-of-<sessionId>`). */
function snapshotValue(state: SessionSnapshotState, events: readonly IngestedEvent[]): string {
  let session: OpenSession | undefined;
  for (const event of events) session = foldEvent(session, event, event.ingest!.receivedAt, () => event.sessionId);
  const stored = { state: session!, anonymousId: events[0]!.anonymousId, version: events.length };
  return JSON.stringify(sessionSnapshot(stored, state, session!.lastActivityAt + 60_000));
}

function closed(value: string): ClosedSession {
  const read = readSessionRecord(value);
  if (read.kind !== 'closed') throw new Error(`not a closing snapshot: ${read.kind}`);
  return read.session;
}

/** s-1: 4 events, 2 page views, 1,500 ms active; the user logs in on it. */
const loggedIn = () =>
  closed(snapshotValue('closed', [pageView('s-1', T0), identify('s-1', T0 + 1_000, 'user-1'), pageView('s-1', T0 + 2_000), dwell('s-1', T0 + 3_000, 1_500)]));
/** s-2: 3 events, 1 page view, 700 ms active; anonymous throughout. */
const anonymous = () => closed(snapshotValue('closed', [pageView('s-2', T0), productClick('s-2', T0 + 1_000, 'mug', 'kitchen'), dwell('s-2', T0 + 2_000, 700)]));

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

describe('readSessionRecord', () => {
  it('takes the counts and ids of a closing snapshot, active time included', () => {
    expect(loggedIn()).toEqual({ sessionId: 's-1', anonymousId: 'anon-of-s-1', userId: 'user-1', lastActivityAt: T0 + 3_000, events: 4, pageViews: 2, activeMs: 1_500 });
  });

  it('ignores open snapshots, tombstones and closing snapshots that predate the active time', () => {
    expect(readSessionRecord(snapshotValue('open', [pageView('s-3', T0), dwell('s-3', T0 + 1, 900)]))).toEqual({ kind: 'ignored' });
    expect(readSessionRecord(null)).toEqual({ kind: 'ignored' });
    const older = JSON.parse(snapshotValue('closed', [pageView('s-4', T0)])) as { counts: Record<string, number> };
    delete older.counts['activeMs'];
    expect(readSessionRecord(JSON.stringify(older))).toEqual({ kind: 'ignored' });
  });

  it('tells records it cannot read apart', () => {
    expect(readSessionRecord('not json')).toEqual({ kind: 'unreadable' });
    expect(readSessionRecord(JSON.stringify({ sessionId: 's', anonymousId: 'a', state: 'closed', counts: { events: 1.5, pageViews: 0, activeMs: 0 } }))).toEqual({ kind: 'unreadable' });
  });
});

describe('planBaseline', () => {
  it('adds a closed session of a user to the user\'s sums and remembers the session as counted', () => {
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
    const second = { ...anonymous(), userId: 'user-1' };
    const together = sums(planBaseline([loggedIn(), second], NO_READS, ctx).commands);
    const apart = sums(planBaseline([second], NO_READS, ctx).commands, sums(planBaseline([loggedIn()], NO_READS, ctx).commands));
    expect(together.get(keys.profileBaseline('u:user-1'))).toEqual({ sessions: '2', events: '7', pageViews: '3', activeMs: '2200' });
    expect(apart).toEqual(together);
  });

  it('counts an anonymous session for the user its device is linked to now, and guards the link', () => {
    const reads = { ...NO_READS, links: new Map([['anon-of-s-2', 'user-2']]) };
    const plan = planBaseline([anonymous()], reads, ctx);
    expect([...sums(plan.commands).keys()]).toEqual([keys.profileBaseline('u:user-2')]);
    expect(plan.profiles).toEqual(['u:user-2']);
    expect(plan.guards).toEqual(expect.arrayContaining([{ key: idKeys.link('anon-of-s-2'), expected: 'user-2' }, { key: marks.key('u:user-2'), expected: null }]));
  });

  it('counts a session of a device linked to nobody for the device, and guards the missing link', () => {
    const plan = planBaseline([anonymous()], NO_READS, ctx);
    expect(sums(plan.commands).get(keys.profileBaseline('a:anon-of-s-2'))).toEqual({ sessions: '1', events: '3', pageViews: '1', activeMs: '700' });
    expect(plan.guards).toContainEqual({ key: idKeys.link('anon-of-s-2'), expected: null });
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
    const linked = { ...NO_READS, links: new Map([['anon-of-s-2', 'user-2']]), marks: new Map([['u:user-2', erasedAt]]) };
    expect(planBaseline([anonymous()], linked, ctx).commands).toEqual([]);
  });

  it('counts a session active after the erasure: the person came back', () => {
    const plan = planBaseline([loggedIn()], { ...NO_READS, marks: new Map([['u:user-1', String(T0 + 1_000)]]) }, ctx);
    expect(sums(plan.commands).get(keys.profileBaseline('u:user-1'))?.['sessions']).toBe('1');
  });
});

describe('planSessionsBatch', () => {
  /** get and mGet over a map: all the planning reads. */
  const fakeRedis = (values: Record<string, string>) => {
    const get = async (key: string) => values[key] ?? null;
    return { get, mGet: async (ks: string[]) => ks.map((k) => values[k] ?? null) } as unknown as StoreClient;
  };
  const offsetKey = keys.offset('t.sessions', 0);
  const deps = (values: Record<string, string>) => ({ redis: fakeRedis(values), ...ctx });

  it('reads the device\'s link and plans for its user; open snapshots and tombstones move only the offset', async () => {
    const messages = [
      { offset: '5', key: 's-3', value: snapshotValue('open', [pageView('s-3', T0)]) },
      { offset: '6', key: 's-2', value: snapshotValue('closed', [pageView('s-2', T0), dwell('s-2', T0 + 1, 300)]) },
      { offset: '7', key: 's-9', value: null },
    ];
    const planned = await planSessionsBatch(deps({ [idKeys.link('anon-of-s-2')]: 'user-2' }), offsetKey, messages);
    expect([...sums(planned!.commands)]).toEqual([[keys.profileBaseline('u:user-2'), { sessions: '1', events: '2', pageViews: '1', activeMs: '300' }]]);
    expect(planned!.outcome).toEqual({ applied: 3, replayed: 0, duplicates: 0, unreadable: 0, profiles: ['u:user-2'] });
    expect(planned!.lastOffset).toBe(7n);
    expect(planned!.guards).toContainEqual({ key: offsetKey, expected: null });

    const onlyOpen = await planSessionsBatch(deps({}), offsetKey, [messages[0]!, messages[2]!]);
    expect(onlyOpen!.commands).toEqual([]);
  });

  it('skips records below the stored offset and reads the linked user\'s erasure mark', async () => {
    const messages = [
      { offset: '3', key: 's-1', value: snapshotValue('closed', [pageView('s-1', T0)]) },
      { offset: '4', key: 's-2', value: snapshotValue('closed', [pageView('s-2', T0)]) },
    ];
    const stored = { [offsetKey]: '4', [idKeys.link('anon-of-s-2')]: 'user-2', [marks.key('u:user-2')]: String(T0 + 5) };
    const planned = await planSessionsBatch(deps(stored), offsetKey, messages);
    expect(planned!.outcome).toMatchObject({ applied: 1, replayed: 1, profiles: [] });
    expect(planned!.commands).toEqual([]);
    expect(planned!.guards).toContainEqual({ key: marks.key('u:user-2'), expected: String(T0 + 5) });
    expect(await planSessionsBatch(deps({ [offsetKey]: '5' }), offsetKey, messages)).toBeNull();
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

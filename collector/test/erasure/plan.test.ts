/**
 * What an erasure writes (src/erasure/plan.ts), without Redis: markers named by
 * their marks and living as long as the topics can hold the person, the
 * deletes, the person's entries in shared keys, the record a retry finishes
 * from, and the tombstones.
 */
import { describe, expect, it } from 'vitest';
import { topicNames } from '@sessionflow/core';
import { covers, erasureCommands, erasureMarkRecords, erasureTombstones, pendingValue, readPending, type ErasurePlanContext, type Person } from '../../src/erasure/plan.js';
import { erasureMarks } from '../../src/erasure/marks.js';
import { readMarkRecord } from '../../src/erasure/marks-topic.js';
import { sessionKeys } from '../../src/pipeline/sessions/keys.js';
import { identityKeys } from '../../src/store/identity-keys.js';
import { storeKeys } from '../../src/store/keys.js';
import { NOW } from '../fakes.js';

const keys = storeKeys('t');
const idKeys = identityKeys('t');
const sesKeys = sessionKeys('t');
const marks = erasureMarks('t', 'plan-test-erasure-secret');
const topics = topicNames('t');
const LIFE_MS = 95 * 24 * 3600 * 1000;
const PENDING_MS = 3600 * 1000;
const indexes = [sesKeys.open('t.events', 0), sesKeys.due('t.events', 0), sesKeys.open('t.events', 1), sesKeys.due('t.events', 1)];
const ctx: ErasurePlanContext = {
  keys,
  identityKeys: idKeys,
  marks,
  markerLifeMs: LIFE_MS,
  pendingTtlMs: PENDING_MS,
  others: { experiments: ['exp-a', 'exp-b'], sessionIndexes: indexes, sessionKeys: sesKeys },
};

const person = (over: Partial<Person> = {}): Person => ({
  userId: 'user-1',
  anonymousIds: ['anon-a', 'anon-b'],
  sessionIds: ['s-1', 's-2'],
  viewed: new Map([
    ['s-1', ['mug', 'pot']],
    ['s-2', ['mug']],
  ]),
  ...over,
});

describe('erasureCommands', () => {
  const { commands, markers, deletes } = erasureCommands(person(), NOW, ctx);
  const deleted = commands.filter((c) => c[0] === 'DEL').map((c) => c[1]);

  it('sets the markers of the user and each device first, named by their marks, for the markers\' life', () => {
    expect(commands.slice(0, markers)).toEqual(['u:user-1', 'a:anon-a', 'a:anon-b'].map((ref) => ['SET', `t:erased:${marks.mark(ref)}`, String(NOW), 'PX', String(LIFE_MS)]));
    // No command names a marker by an id.
    expect(commands.flat().filter((arg) => arg.includes('erased:')).every((arg) => /^t:erased:[0-9a-f]{64}$/.test(arg))).toBe(true);
  });

  it('deletes the profiles of the user and of each device, the links, the device set and the prefixes, right after the markers', () => {
    expect(commands.slice(markers, markers + deletes).every((c) => c[0] === 'DEL')).toBe(true);
    expect(deleted).toHaveLength(deletes);
    for (const ref of ['u:user-1', 'a:anon-a', 'a:anon-b']) {
      expect(deleted).toEqual(expect.arrayContaining([keys.profile(ref), keys.profileSessions(ref), keys.profileAffinities(ref), keys.profileRecentlyViewed(ref), keys.profilePurchased(ref), keys.profileDevices(ref), keys.profileBaseline(ref)]));
    }
    expect(deleted).toEqual(expect.arrayContaining([idKeys.userDevices('user-1'), idKeys.link('anon-a'), idKeys.link('anon-b'), idKeys.prefixEvents('anon-a'), idKeys.prefixSession('anon-b')]));
    expect(commands).toContainEqual(['ZREM', keys.profilesUpdatedAt, 'u:user-1', 'a:anon-a', 'a:anon-b']);
  });

  it("deletes each session's live state, recommendation sequence and time and baseline mark, and each device's session index", () => {
    for (const sid of ['s-1', 's-2']) expect(deleted).toEqual(expect.arrayContaining([sesKeys.session(sid), keys.recsSessionItems(sid), keys.recsSessionTime(sid), keys.baselineCounted(sid)]));
    expect(deleted).toEqual(expect.arrayContaining([sesKeys.device('anon-a'), sesKeys.device('anon-b')]));
  });

  it("takes the sessions out of every partition's open and due index, and out of the recent sessions of the products they viewed", () => {
    for (const index of indexes) expect(commands).toContainEqual(['ZREM', index, 's-1', 's-2']);
    const lrems = commands.filter((c) => c[0] === 'LREM');
    expect(lrems).toHaveLength(3);
    expect(lrems).toEqual(
      expect.arrayContaining([
        ['LREM', keys.recsItemSessions('mug'), '0', 's-1'],
        ['LREM', keys.recsItemSessions('mug'), '0', 's-2'],
        ['LREM', keys.recsItemSessions('pot'), '0', 's-1'],
      ]),
    );
  });

  it("removes the user and its devices from each configured experiment's units, never its counts", () => {
    expect(commands.filter((c) => c[0] === 'HDEL')).toEqual([
      ['HDEL', keys.experimentUnits('exp-a'), 'u:user-1', 'a:anon-a', 'a:anon-b'],
      ['HDEL', keys.experimentUnits('exp-b'), 'u:user-1', 'a:anon-a', 'a:anon-b'],
    ]);
    expect(commands.some((c) => c.includes(keys.experimentCounts('exp-a')))).toBe(false);
  });

  it('records the devices and sessions last, under the user\'s mark, for a retry that no longer finds them in Redis', () => {
    expect(commands.at(-1)).toEqual(['SET', `t:erasure:pending:${marks.mark('u:user-1')}`, expect.any(String), 'PX', String(PENDING_MS)]);
    expect(readPending(commands.at(-1)![2]!)).toEqual({ anonymousIds: ['anon-a', 'anon-b'], sessionIds: ['s-1', 's-2'] });
  });

  it("erases a crafted user id's own keys only, never those of the user or device its id reads like", () => {
    const crafted = erasureCommands(person({ userId: 'X:affinities', anonymousIds: ['anon-c'], sessionIds: [], viewed: new Map() }), NOW, ctx);
    const touched = crafted.commands.map((c) => c[1] as string);
    for (const ref of ['u:X', 'a:X']) for (const key of [keys.profile(ref), keys.profileAffinities(ref), keys.profileSessions(ref), marks.key(ref)]) expect(touched).not.toContain(key);
    expect(touched).toContain(keys.profileAffinities('u:X%3Aaffinities'));
    expect(touched).not.toContain(idKeys.userDevices('X'));
    const deviceLike = erasureCommands(person({ userId: 'anon-a', anonymousIds: [], sessionIds: [], viewed: new Map() }), NOW, ctx);
    expect(deviceLike.commands.map((c) => c[1])).not.toContain(keys.profile('a:anon-a'));
  });
});

describe('the records of an erasure', () => {
  it("puts each marker in the erasures topic by its mark, with the erasure's time", () => {
    const records = erasureMarkRecords(person(), NOW, topics.erasures, marks);
    expect(records.map((r) => r.topic)).toEqual([topics.erasures, topics.erasures, topics.erasures]);
    expect(records.map((r) => readMarkRecord(r.key, r.value))).toEqual(['u:user-1', 'a:anon-a', 'a:anon-b'].map((ref) => ({ mark: marks.mark(ref), erasedAt: NOW })));
    for (const id of ['user-1', 'anon-a', 'anon-b']) expect(JSON.stringify(records)).not.toContain(id);
  });

  it('tombstones the profiles of the user and its devices (by ref), the devices links and the sessions', () => {
    expect(erasureTombstones(person({ anonymousIds: ['anon-a'], sessionIds: ['s-1'] }), topics)).toEqual([
      { topic: topics.profiles, key: 'u:user-1', value: null },
      { topic: topics.profiles, key: 'a:anon-a', value: null },
      { topic: topics.identity, key: 'anon-a', value: null },
      { topic: topics.sessions, key: 's-1', value: null },
    ]);
  });
});

describe('what a round covers', () => {
  it('covers what names no device or session beyond it, and not a device linked meanwhile', () => {
    const before = person();
    expect(covers(before, person({ anonymousIds: ['anon-a'] }))).toBe(true);
    expect(covers(before, person({ anonymousIds: ['anon-a', 'anon-b', 'anon-new'] }))).toBe(false);
    expect(covers(before, person({ sessionIds: ['s-1', 's-3'] }))).toBe(false);
  });

  it('reads back a pending record, and nothing from none or from something unreadable', () => {
    expect(readPending(pendingValue({ anonymousIds: ['anon-a'], sessionIds: ['s-9'] }))).toEqual({ anonymousIds: ['anon-a'], sessionIds: ['s-9'] });
    expect(readPending(null)).toEqual({ anonymousIds: [], sessionIds: [] });
    expect(readPending('{not json')).toEqual({ anonymousIds: [], sessionIds: [] });
    expect(readPending('{"anonymousIds":[1,"anon-a"],"sessionIds":"s-1"}')).toEqual({ anonymousIds: ['anon-a'], sessionIds: [] });
  });
});

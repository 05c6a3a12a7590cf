/**
 * What an erasure writes (src/erasure/plan.ts), without Redis: markers named by
 * their marks, living as long as the topics can hold the person, a copy in
 * every partition whose stages guard them; the deletes, each in the partition
 * that owns the key; the person's entries in shared keys, one script per
 * partition; the record a retry finishes from; and the tombstones.
 */
import { describe, expect, it } from 'vitest';
import { topicNames } from '@sessionflow/core';
import { covers, erasureMarkRecords, erasureTombstones, erasureWrites, pendingValue, readPending, type ErasurePlanContext, type Person } from '../../src/erasure/plan.js';
import { erasureMarks } from '../../src/erasure/marks.js';
import { readMarkRecord } from '../../src/erasure/marks-topic.js';
import type { RedisCommand } from '../../src/pipeline/commands.js';
import { sessionKeys } from '../../src/pipeline/sessions/keys.js';
import { identityKeys } from '../../src/store/identity-keys.js';
import { storeKeys } from '../../src/store/keys.js';
import { stateLayout } from '../../src/store/layout.js';
import { hashTagOf, ownerPartition, partitionTag } from '../../src/store/owner.js';
import { NOW } from '../fakes.js';

const topics = topicNames('t');
const EVENTS = 3;
const BY_USER = 4;
const layout = stateLayout('t', { events: EVENTS, eventsByUser: BY_USER, products: 2, inventory: 2 });
const marks = erasureMarks('t', 'plan-test-erasure-secret');
const LIFE_MS = 95 * 24 * 3600 * 1000;
const PENDING_MS = 3600 * 1000;
const ctx: ErasurePlanContext = { layout, marks, markerLifeMs: LIFE_MS, pendingTtlMs: PENDING_MS, others: { experiments: ['exp-a', 'exp-b'] } };

/** The keys of the by-user partition the producers send `ref`'s records to (Kafka's partitioner, not the layout's own lookup). */
const ownerOf = (ref: string) => storeKeys('t', topics.eventsByUser, ownerPartition(ref, BY_USER));
/** The identity and sessions keys of the events partition that owns a device. */
const deviceIdentity = (anon: string) => identityKeys('t', topics.events, ownerPartition(anon, EVENTS));
const deviceSessions = (anon: string) => sessionKeys('t', topics.events, ownerPartition(anon, EVENTS));
const everyEventsPartition = Array.from({ length: EVENTS }, (_, p) => sessionKeys('t', topics.events, p));
const REFS = ['u:user-1', 'a:anon-a', 'a:anon-b'];

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

/** True when every command of the group names keys of one hash tag only. */
const oneTag = (group: readonly RedisCommand[]) => new Set(group.map((c) => hashTagOf(c[1] ?? ''))).size === 1;

describe('erasureWrites', () => {
  const writes = erasureWrites(person(), NOW, ctx);
  const markerSets = writes.markers.flat();
  const removals = writes.removals.flat();

  it("sets the markers of the user and each device in every events and by-user partition, named by their marks, for the markers' life", () => {
    const expected: RedisCommand[] = [];
    for (const [topic, count] of [[topics.events, EVENTS], [topics.eventsByUser, BY_USER]] as const) {
      for (let partition = 0; partition < count; partition++) {
        for (const ref of REFS) expected.push(['SET', `t:${partitionTag(topic, partition)}:erased:${marks.mark(ref)}`, String(NOW), 'PX', String(LIFE_MS)]);
      }
    }
    expect(markerSets.filter((c) => c[1]?.includes(':erased:'))).toEqual(expected);
    // No command names a marker by an id.
    expect([...markerSets, ...removals].flat().filter((arg) => arg.includes('erased:')).every((arg) => /^t:\{[^{}]+\}:erased:[0-9a-f]{64}$/.test(arg))).toBe(true);
  });

  it('groups the markers by partition, one script each: no group spans two hash tags', () => {
    expect(writes.markers.every(oneTag)).toBe(true);
    expect(new Set(writes.markers.map((g) => hashTagOf(g[0]![1]!))).size).toBe(writes.markers.length);
    // A group per partition of the two topics, and the pending record's own.
    expect(writes.markers).toHaveLength(EVENTS + BY_USER + 1);
  });

  it('deletes the profiles of the user and of each device where each is owned, the links and the prefixes where each device is', () => {
    for (const ref of REFS) {
      const k = ownerOf(ref);
      expect(writes.deletes).toEqual(expect.arrayContaining([k.profile(ref), k.profileSessions(ref), k.profileAffinities(ref), k.profileRecentlyViewed(ref), k.profilePurchased(ref), k.profileDevices(ref), k.profileBaseline(ref)]));
      expect(removals).toContainEqual(['ZREM', k.profilesUpdatedAt, ref]);
    }
    for (const anon of ['anon-a', 'anon-b']) {
      const k = deviceIdentity(anon);
      expect(writes.deletes).toEqual(expect.arrayContaining([k.link(anon), k.prefixEvents(anon), k.prefixSession(anon)]));
    }
    expect(new Set(writes.deletes).size).toBe(writes.deletes.length);
  });

  it("deletes each session's live state, recommendation sequence and time and baseline mark, and each device's session index", () => {
    for (const sid of ['s-1', 's-2']) {
      // A session found in a profile's set names no device: its live state is looked for in every events partition.
      for (const part of everyEventsPartition) expect(writes.deletes).toContain(part.session(sid));
      for (const ref of REFS) expect(writes.deletes).toEqual(expect.arrayContaining([ownerOf(ref).recsSessionItems(sid), ownerOf(ref).recsSessionTime(sid), ownerOf(ref).baselineCounted(sid)]));
    }
    expect(writes.deletes).toEqual(expect.arrayContaining([deviceSessions('anon-a').device('anon-a'), deviceSessions('anon-b').device('anon-b')]));
  });

  it("takes the sessions out of every partition's open and due index, and out of the recent sessions of the products they viewed in the person's partitions", () => {
    for (const part of everyEventsPartition) {
      expect(removals).toContainEqual(['ZREM', part.open, 's-1', 's-2']);
      expect(removals).toContainEqual(['ZREM', part.due, 's-1', 's-2']);
    }
    const parts = [...new Set(REFS.map((ref) => ownerPartition(ref, BY_USER)))].map((p) => storeKeys('t', topics.eventsByUser, p));
    const lrems = removals.filter((c) => c[0] === 'LREM');
    expect(lrems).toHaveLength(3 * parts.length);
    for (const k of parts) {
      expect(lrems).toEqual(
        expect.arrayContaining([
          ['LREM', k.recsItemSessions('mug'), '0', 's-1'],
          ['LREM', k.recsItemSessions('mug'), '0', 's-2'],
          ['LREM', k.recsItemSessions('pot'), '0', 's-1'],
        ]),
      );
    }
  });

  it("removes the user and its devices from each configured experiment's units where each was counted, never its counts", () => {
    expect(removals.filter((c) => c[0] === 'HDEL').sort()).toEqual(
      REFS.flatMap((ref) => ['exp-a', 'exp-b'].map((exp) => ['HDEL', ownerOf(ref).experimentUnits(exp), ref])).sort(),
    );
    for (let p = 0; p < BY_USER; p++) {
      const counts = storeKeys('t', topics.eventsByUser, p).experimentCounts('exp-a');
      expect([...markerSets, ...removals].some((c) => c.includes(counts)) || writes.deletes.includes(counts)).toBe(false);
    }
  });

  it('groups the removals by partition, one script each', () => {
    expect(writes.removals.every(oneTag)).toBe(true);
    expect(new Set(writes.removals.map((g) => hashTagOf(g[0]![1]!))).size).toBe(writes.removals.length);
  });

  it("records the devices and sessions under the user's mark, for a retry that no longer finds them in Redis", () => {
    const pending = markerSets.filter((c) => c[1] === marks.pendingKey('u:user-1'));
    expect(pending).toEqual([['SET', `t:erasure:pending:${marks.mark('u:user-1')}`, expect.any(String), 'PX', String(PENDING_MS)]]);
    expect(readPending(pending[0]![2]!)).toEqual({ anonymousIds: ['anon-a', 'anon-b'], sessionIds: ['s-1', 's-2'] });
  });

  it("erases a crafted user id's own keys only, never those of the user or device its id reads like", () => {
    const crafted = erasureWrites(person({ userId: 'X:affinities', anonymousIds: ['anon-c'], sessionIds: [], viewed: new Map() }), NOW, ctx);
    const touched = [...crafted.markers.flat(), ...crafted.removals.flat()].map((c) => c[1] as string).concat(crafted.deletes);
    for (const ref of ['u:X', 'a:X']) {
      const k = ownerOf(ref);
      for (const key of [k.profile(ref), k.profileAffinities(ref), k.profileSessions(ref)]) expect(touched).not.toContain(key);
      for (const { topic, partition } of layout.markerScopes()) expect(touched).not.toContain(marks.at(topic, partition).key(ref));
    }
    expect(touched).toContain(ownerOf('u:X%3Aaffinities').profileAffinities('u:X%3Aaffinities'));
    const deviceLike = erasureWrites(person({ userId: 'anon-a', anonymousIds: [], sessionIds: [], viewed: new Map() }), NOW, ctx);
    expect(deviceLike.deletes).not.toContain(ownerOf('a:anon-a').profile('a:anon-a'));
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

/**
 * The collector's key layout over arbitrary ids: no two people (a user and a
 * device, two users, two devices) share a key, no id reaches into another key
 * or picks a Redis Cluster hash slot (the only hash tag in a key is the tag of
 * the partition that owns it), and a raw id is refused where a profile's ref
 * belongs. Property-based (fast-check prints its seed on failure).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { refOf, topicNames, type ProfileRef } from '@sessionflow/core';
import { profileKeysOf } from '../src/pipeline/profiles/commands.js';
import { sessionKeys } from '../src/pipeline/sessions/keys.js';
import { identityKeys } from '../src/store/identity-keys.js';
import { refPart } from '../src/store/key-parts.js';
import { storeKeys } from '../src/store/keys.js';
import { stateLayout } from '../src/store/layout.js';
import { hashTagOf, ownerPartition } from '../src/store/owner.js';
import { erasureMarks } from '../src/erasure/marks.js';

const topics = topicNames('t');
const EVENTS = 3;
const BY_USER = 5;
const layout = stateLayout('t', { events: EVENTS, eventsByUser: BY_USER, products: 2, inventory: 2 });
const marks = erasureMarks('t', 'test-erasure-secret');
// One partition's keys, for the keys named by ids other than a person's (events, sessions, categories).
const keys = storeKeys('t', topics.eventsByUser, 0);
const sesKeys = sessionKeys('t', topics.events, 0);

/** Ids as they arrive from Kafka (UTF-8, so no lone surrogates), rich in what structures a key. */
const id = fc
  .string({ unit: fc.oneof(fc.constantFrom(':', '{', '}', '{}', '%', '%3A', '%7B', 'u:', 'a:', ':affinities', 'X', ' '), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 12 })
  .map((s) => Buffer.from(s, 'utf8').toString('utf8'));
const profile = fc.record({ kind: fc.constantFrom<ProfileRef['kind']>('user', 'device'), id });

/** A key and the hash tag it must carry: its owner partition's, found with Kafka's partitioner. */
interface OwnedKey {
  key: string;
  tag: string;
}

/** Every key the pipeline keeps of one person, by their kind of id, each with the tag of the partition that owns it. */
function personKeys(p: ProfileRef): OwnedKey[] {
  const ref = refOf(p);
  const byUser = `${topics.eventsByUser}:${ownerPartition(ref, BY_USER)}`;
  const own = profileKeysOf(ref, layout.profile(ref)).map((key) => ({ key, tag: byUser }));
  const markers = layout.markerScopes().map(({ topic, partition }) => ({ key: marks.at(topic, partition).key(ref), tag: `${topic}:${partition}` }));
  if (p.kind === 'user') return [...own, ...markers];
  const events = ownerPartition(p.id, EVENTS);
  const idKeys = identityKeys('t', topics.events, events);
  const device = [idKeys.link(p.id), idKeys.prefixSession(p.id), idKeys.prefixEvents(p.id), sessionKeys('t', topics.events, events).device(p.id)];
  return [...own, ...markers, ...device.map((key) => ({ key, tag: `${topics.events}:${events}` }))];
}

/** The key after its `t:{topic:partition}:` head: where the ids are. */
const afterTag = (key: string) => key.slice(key.indexOf('}') + 2);

describe('the key layout', () => {
  it('gives two different people no key in common, whatever their ids', () => {
    fc.assert(
      fc.property(profile, profile, (a, b) => {
        fc.pre(a.kind !== b.kind || a.id !== b.id);
        const theirs = new Set(personKeys(b).map((k) => k.key));
        expect(personKeys(a).filter(({ key }) => theirs.has(key))).toEqual([]);
      }),
      { numRuns: 3000 },
    );
  });

  it("keeps every id inside its own segment: no hash tag but the owner partition's, no separator of its own", () => {
    fc.assert(
      fc.property(profile, id, (p, other) => {
        // Redis Cluster hashes the first {...}: it must be the owner partition's, and no id may add a brace after it.
        const misplaced = personKeys(p).filter(({ key, tag }) => !key.startsWith(`t:{${tag}}:`) || hashTagOf(key) !== tag || /[{}]/.test(afterTag(key)));
        expect(misplaced).toEqual([]);
        const perId = [keys.seenEvent(other), keys.seenEvent(other, 'prefix'), keys.baselineCounted(other), keys.categoryPopularity(other), keys.recsSessionItems(other), keys.recsItemSessions(other), keys.experimentUnits(other)];
        const perSessionId = [sesKeys.session(other), sesKeys.seenEvent(other)];
        expect(perId.filter((key) => hashTagOf(key) !== `${topics.eventsByUser}:0` || /[{}]/.test(afterTag(key)))).toEqual([]);
        expect(perSessionId.filter((key) => hashTagOf(key) !== `${topics.events}:0` || /[{}]/.test(afterTag(key)))).toEqual([]);
        // After the tag, one id is one segment: `profile:<ref>:affinities` has exactly its four parts.
        expect(afterTag(layout.profile(refOf(p)).profileAffinities(refOf(p))).split(':')).toHaveLength(4);
        expect(afterTag(keys.seenEvent(other)).split(':')).toHaveLength(2);
        expect(afterTag(keys.seenEvent(other, 'prefix')).split(':')).toHaveLength(3);
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps all of a person's keys of one stage in one slot: a batch touches one partition", () => {
    fc.assert(
      fc.property(profile, (p) => {
        const ref = refOf(p);
        expect(new Set(profileKeysOf(ref, layout.profile(ref)).map(hashTagOf)).size).toBe(1);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a raw id where a profile ref belongs, so a forgotten ref fails loudly instead of aliasing', () => {
    for (const raw of ['user-1', 'X:affinities', 'u:', 'u:a:b', 'a:{x}', 'u:50%', '']) {
      expect(() => keys.profile(raw)).toThrow(/profile ref/);
      expect(() => marks.at(topics.events, 0).key(raw)).toThrow(/profile ref/);
    }
    expect(refPart('u:X%3Aaffinities')).toBe('u:X%3Aaffinities');
    // The message carries no id (it may reach a log).
    expect(() => refPart('secret-user-id')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret-user-id') }));
  });
});

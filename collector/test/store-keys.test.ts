/**
 * The collector's key layout over arbitrary ids: no two people (a user and a
 * device, two users, two devices) share a key, no id reaches into another key
 * or picks a Redis Cluster hash slot, and a raw id is refused where a
 * profile's ref belongs. Property-based (fast-check prints its seed on failure).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { refOf, type ProfileRef } from '@sessionflow/core';
import { profileKeysOf } from '../src/pipeline/profiles/commands.js';
import { sessionKeys } from '../src/pipeline/sessions/keys.js';
import { identityKeys } from '../src/store/identity-keys.js';
import { refPart } from '../src/store/key-parts.js';
import { storeKeys } from '../src/store/keys.js';
import { erasureMarks } from '../src/erasure/marks.js';

const keys = storeKeys('t');
const idKeys = identityKeys('t');
const sesKeys = sessionKeys('t');
const marks = erasureMarks('t', 'test-erasure-secret');

/** Ids as they arrive from Kafka (UTF-8, so no lone surrogates), rich in what structures a key. */
const id = fc
  .string({ unit: fc.oneof(fc.constantFrom(':', '{', '}', '%', '%3A', 'u:', 'a:', ':affinities', 'X', ' '), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 12 })
  .map((s) => Buffer.from(s, 'utf8').toString('utf8'));
const profile = fc.record({ kind: fc.constantFrom<ProfileRef['kind']>('user', 'device'), id });

/** Every key the pipeline keeps of one person, by their kind of id. */
function personKeys(p: ProfileRef): string[] {
  const ref = refOf(p);
  const own = [...profileKeysOf(ref, keys), marks.key(ref)];
  return p.kind === 'device' ? [...own, idKeys.link(p.id), idKeys.prefixSession(p.id), idKeys.prefixEvents(p.id), sesKeys.device(p.id)] : [...own, idKeys.userDevices(p.id)];
}

describe('the key layout', () => {
  it('gives two different people no key in common, whatever their ids', () => {
    fc.assert(
      fc.property(profile, profile, (a, b) => {
        fc.pre(a.kind !== b.kind || a.id !== b.id);
        const theirs = new Set(personKeys(b));
        expect(personKeys(a).filter((key) => theirs.has(key))).toEqual([]);
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps every id inside its own segment: no hash tag, no separator of its own', () => {
    fc.assert(
      fc.property(profile, id, (p, other) => {
        const perId = [keys.seenEvent(other), keys.seenEvent(other, 'prefix'), keys.baselineCounted(other), keys.categoryPopularity(other), keys.recsSessionItems(other), keys.recsItemSessions(other), sesKeys.session(other), sesKeys.seenEvent(other), keys.experimentUnits(other)];
        for (const key of [...personKeys(p), ...perId]) expect(key).not.toMatch(/[{}]/);
        // After the fixed `t:` prefix and kind, one id is one segment: `profile:<ref>:affinities` has exactly its four parts.
        expect(keys.profileAffinities(refOf(p)).split(':')).toHaveLength(5);
        expect(keys.seenEvent(other).split(':')).toHaveLength(3);
        expect(keys.seenEvent(other, 'prefix').split(':')).toHaveLength(4);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a raw id where a profile ref belongs, so a forgotten ref fails loudly instead of aliasing', () => {
    for (const raw of ['user-1', 'X:affinities', 'u:', 'u:a:b', 'a:{x}', 'u:50%', '']) {
      expect(() => keys.profile(raw)).toThrow(/profile ref/);
      expect(() => marks.key(raw)).toThrow(/profile ref/);
    }
    expect(refPart('u:X%3Aaffinities')).toBe('u:X%3Aaffinities');
    // The message carries no id (it may reach a log).
    expect(() => refPart('secret-user-id')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret-user-id') }));
  });
});

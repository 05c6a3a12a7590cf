import { describe, expect, it } from 'vitest';
import { topicNames, type IngestedEvent } from '@sessionflow/core';
import { byUserValue, isPrefixRecord, profileRefOf, seenKeyOf, type ByUserEvent } from '../../src/pipeline/identity/records.js';
import { isErased, refsOf } from '../../src/erasure/marked-events.js';
import { readByUserEvent } from '../../src/pipeline/event-record.js';
import { storeKeys } from '../../src/store/keys.js';
import { partitionTag } from '../../src/store/owner.js';
import { pageView, NOW } from '../fakes.js';

const keys = storeKeys('t', topicNames('t').eventsByUser, 0);
/** Where the partition's keys start: the prefix, then the tag of the by-user partition that owns them. */
const partitionKeys = `t:${partitionTag(topicNames('t').eventsByUser, 0)}:`;

const raw = JSON.stringify({ ...pageView('anon-a'), ingest: { siteKey: 's', receivedAt: NOW, ingestedAt: NOW + 1 } });

describe('by-user records', () => {
  it('are the event JSON with the canonical id and, for a prefix, its attribution', () => {
    const plain = JSON.parse(byUserValue(raw, 'a:anon-a')) as ByUserEvent;
    expect(plain).toEqual({ ...(JSON.parse(raw) as object), canonicalId: 'a:anon-a' });
    const prefix = JSON.parse(byUserValue(`${raw}\n`, 'user-"1"', 'prefix')) as ByUserEvent;
    expect(prefix.canonicalId).toBe('user-"1"');
    expect(prefix.attribution).toBe('prefix');
    expect(() => byUserValue('[1]', 'x')).toThrow(/JSON object/);
  });

  it('dedupe a prefix record apart from the original, and key the profile by its canonical ref', () => {
    const event = JSON.parse(raw) as IngestedEvent;
    const original: ByUserEvent = { ...event, canonicalId: 'a:anon-a' };
    const prefix: ByUserEvent = { ...event, canonicalId: 'u:user-1', attribution: 'prefix' };
    expect(seenKeyOf(original, keys)).toBe(`${partitionKeys}seen:${event.eventId}`);
    expect(seenKeyOf(prefix, keys)).toBe(`${partitionKeys}seen:${event.eventId}:prefix`);
    expect(seenKeyOf(prefix, keys)).not.toContain('user-1');
    expect(isPrefixRecord(prefix)).toBe(true);
    expect(isPrefixRecord(original)).toBe(false);
    expect(profileRefOf(prefix)).toBe('u:user-1');
    // A record from before the identity stage: its device's own profile.
    expect(profileRefOf(event)).toBe('a:anon-a');
  });

  it("never lets an event id take another event's prefix mark", () => {
    const event = JSON.parse(raw) as IngestedEvent;
    const prefix: ByUserEvent = { ...event, canonicalId: 'u:user-1', attribution: 'prefix' };
    const impostor: ByUserEvent = { ...event, eventId: `${event.eventId}:prefix`, canonicalId: 'a:anon-a' };
    expect(seenKeyOf(impostor, keys)).not.toBe(seenKeyOf(prefix, keys));
  });

  it('reads a by-user record only when its canonical id is a profile ref', () => {
    expect(readByUserEvent(byUserValue(raw, 'u:user-1'))?.canonicalId).toBe('u:user-1');
    expect(readByUserEvent(raw)?.canonicalId).toBeUndefined();
    for (const canonicalId of ['user-1', 'X:affinities', 'u:', 'u:a:b', 'u:%zz', 'a:{x}']) expect(readByUserEvent(byUserValue(raw, canonicalId))).toBeNull();
    expect(readByUserEvent(JSON.stringify({ ...(JSON.parse(raw) as object), canonicalId: 7 }))).toBeNull();
    expect(readByUserEvent(JSON.stringify({ ...(JSON.parse(raw) as object), userId: { toString: 'x' } }))).toBeNull();
  });
});

describe('isErased', () => {
  const event = { ...(JSON.parse(raw) as IngestedEvent), userId: 'user-1', canonicalId: 'u:user-1' } as ByUserEvent;
  it('names the profiles of an event by ref: its device, its user, its canonical profile', () => {
    expect(refsOf(event)).toEqual(['a:anon-a', 'u:user-1']);
    expect(refsOf({ ...event, userId: 'a:anon-a' })).toEqual(['a:anon-a', 'u:a%3Aanon-a', 'u:user-1']);
  });

  it('holds for an event of a marked profile ingested at or before the mark', () => {
    expect(isErased(event, new Map([['u:user-1', NOW + 1]]))).toBe(true);
    expect(isErased(event, new Map([['a:anon-a', NOW + 5]]))).toBe(true);
    expect(isErased(event, new Map([['u:user-1', NOW]]))).toBe(false);
    expect(isErased(event, new Map([['u:user-2', NOW + 5]]))).toBe(false);
    // A user id and an anonymous id that read alike are different people.
    expect(isErased(event, new Map([['a:user-1', NOW + 5], ['u:anon-a', NOW + 5]]))).toBe(false);
    expect(isErased(event, new Map())).toBe(false);
  });
});

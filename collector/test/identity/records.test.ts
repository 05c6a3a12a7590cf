import { describe, expect, it } from 'vitest';
import type { IngestedEvent } from '@sessionflow/core';
import { byUserValue, dedupeIdOf, isPrefixRecord, profileIdOf, type ByUserEvent } from '../../src/pipeline/identity/records.js';
import { isErased } from '../../src/pipeline/identity/erased.js';
import { pageView, NOW } from '../fakes.js';

const raw = JSON.stringify({ ...pageView('anon-a'), ingest: { siteKey: 's', receivedAt: NOW, ingestedAt: NOW + 1 } });

describe('by-user records', () => {
  it('are the event JSON with the canonical id and, for a prefix, its attribution', () => {
    const plain = JSON.parse(byUserValue(raw, 'anon-a')) as ByUserEvent;
    expect(plain).toEqual({ ...(JSON.parse(raw) as object), canonicalId: 'anon-a' });
    const prefix = JSON.parse(byUserValue(`${raw}\n`, 'user-"1"', 'prefix')) as ByUserEvent;
    expect(prefix.canonicalId).toBe('user-"1"');
    expect(prefix.attribution).toBe('prefix');
    expect(() => byUserValue('[1]', 'x')).toThrow(/JSON object/);
  });

  it('dedupe a prefix record apart from the original, and key the profile by canonical id', () => {
    const event = JSON.parse(raw) as IngestedEvent;
    const original: ByUserEvent = { ...event, canonicalId: 'anon-a' };
    const prefix: ByUserEvent = { ...event, canonicalId: 'user-1', attribution: 'prefix' };
    expect(dedupeIdOf(original)).toBe(event.eventId);
    expect(dedupeIdOf(prefix)).toBe(`${event.eventId}:prefix`);
    expect(dedupeIdOf(prefix)).not.toContain('user-1');
    expect(isPrefixRecord(prefix)).toBe(true);
    expect(isPrefixRecord(original)).toBe(false);
    expect(profileIdOf(prefix)).toBe('user-1');
    expect(profileIdOf(event)).toBe('anon-a');
  });
});

describe('isErased', () => {
  const event = { ...(JSON.parse(raw) as IngestedEvent), canonicalId: 'user-1' } as ByUserEvent;
  it('holds for an event of a marked id ingested at or before the mark', () => {
    expect(isErased(event, new Map([['user-1', NOW + 1]]))).toBe(true);
    expect(isErased(event, new Map([['anon-a', NOW + 5]]))).toBe(true);
    expect(isErased(event, new Map([['user-1', NOW]]))).toBe(false);
    expect(isErased(event, new Map([['user-2', NOW + 5]]))).toBe(false);
    expect(isErased(event, new Map())).toBe(false);
  });
});

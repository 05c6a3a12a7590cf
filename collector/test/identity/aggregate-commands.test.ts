import { describe, expect, it } from 'vitest';
import type { IngestedEvent } from '@sessionflow/core';
import { eventCommands } from '../../src/pipeline/commands.js';
import type { ByUserEvent } from '../../src/pipeline/identity/records.js';
import { storeKeys } from '../../src/store/keys.js';
import { click, NOW } from '../fakes.js';

const keys = storeKeys('t');
const plan = (events: ByUserEvent[]) => eventCommands(events, { keys, seenTtlSeconds: 60, categoryOf: () => undefined });
const viewed = { ...(click('anon-a', 'sku-1') as unknown as IngestedEvent), ingest: { siteKey: 's', receivedAt: NOW, ingestedAt: NOW + 1 } };

describe('eventCommands on sf.events.by-user', () => {
  it('keys the profile by canonical id and records the device and the user id', () => {
    const commands = plan([{ ...viewed, canonicalId: 'user-1' }]);
    expect(commands).toContainEqual(['SADD', keys.profileSessions('user-1'), 'session-0001']);
    expect(commands).toContainEqual(['SADD', keys.profileDevices('user-1'), 'anon-a']);
    expect(commands).toContainEqual(['HSET', keys.profile('user-1'), 'userId', 'user-1']);
    expect(commands.some((c) => c.includes(keys.profileSessions('anon-a')))).toBe(false);
  });

  it('lets a prefix record change only its canonical profile, deduplicated apart from the original', () => {
    const commands = plan([{ ...viewed, canonicalId: 'user-1', attribution: 'prefix' }]);
    expect(commands).toContainEqual(['SET', keys.seenEvent(`${viewed.eventId}:prefix`), '1', 'EX', '60']);
    expect(commands).toContainEqual(['LPUSH', keys.profileRecentlyViewed('user-1'), 'sku-1']);
    expect(commands).toContainEqual(['HINCRBYFLOAT', keys.profileAffinities('user-1'), 'kitchen', expect.any(String)]);
    const touched = commands.map((c) => c[1] as string);
    const ownKeys = (k: string) => k.startsWith('t:profile:user-1') || k === keys.profilesUpdatedAt || k === keys.seenEvent(`${viewed.eventId}:prefix`);
    expect(touched.filter((k) => !ownKeys(k))).toEqual([]);

    const original = plan([{ ...viewed, canonicalId: 'anon-a' }]);
    expect(original).toContainEqual(['ZINCRBY', keys.popularity, '1', 'sku-1']);
    expect(original).toContainEqual(['SET', keys.seenEvent(viewed.eventId), '1', 'EX', '60']);
  });
});

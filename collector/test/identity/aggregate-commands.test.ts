import { describe, expect, it } from 'vitest';
import { topicNames, type IngestedEvent } from '@sessionflow/core';
import { eventCommands, PLANNER_SCRIPT } from '../../src/pipeline/commands.js';
import type { ByUserEvent } from '../../src/pipeline/identity/records.js';
import { storeKeys } from '../../src/store/keys.js';
import { click, NOW } from '../fakes.js';

const keys = storeKeys('t', topicNames('t').eventsByUser, 1);
const plan = (events: ByUserEvent[]) => eventCommands(events, { keys, seenTtlSeconds: 60, categoryOf: () => undefined });
const viewed = { ...(click('anon-a', 'sku-1') as unknown as IngestedEvent), ingest: { siteKey: 's', receivedAt: NOW, ingestedAt: NOW + 1 } };

describe('eventCommands on sf.events.by-user', () => {
  it('keys the profile by its canonical ref and records the device and the user id', () => {
    const commands = plan([{ ...viewed, canonicalId: 'u:user-1' }]);
    const profileScript = commands.find((c) => c[0] === PLANNER_SCRIPT && c.includes(keys.profileSessions('u:user-1')));
    expect(profileScript?.slice(2)).toEqual([keys.profile('u:user-1'), keys.profileSessions('u:user-1'), String(viewed.timestamp), '1', 'session-0001', String(viewed.timestamp)]);
    expect(commands).toContainEqual(['SADD', keys.profileDevices('u:user-1'), 'anon-a']);
    expect(commands).toContainEqual(['HSET', keys.profile('u:user-1'), 'userId', 'user-1']);
    expect(commands.some((c) => c.includes(keys.profileSessions('a:anon-a')))).toBe(false);
  });

  it('never builds a key from a canonical id that is not a profile ref', () => {
    // readByUserEvent refuses such a record (event-record.ts); a planner handed one anyway stops rather than alias.
    expect(() => plan([{ ...viewed, canonicalId: 'X:affinities' }])).toThrow(/profile ref/);
  });

  it("lets a prefix record change only its canonical profile and its session's recommendation sequence, deduplicated apart from the original", () => {
    const commands = plan([{ ...viewed, canonicalId: 'u:user-1', attribution: 'prefix' }]);
    expect(commands).toContainEqual(['SET', keys.seenEvent(viewed.eventId, 'prefix'), '1', 'EX', '60']);
    expect(commands).toContainEqual(['LPUSH', keys.profileRecentlyViewed('u:user-1'), 'sku-1']);
    expect(commands).toContainEqual(['HINCRBYFLOAT', keys.profileAffinities('u:user-1'), 'kitchen', expect.any(String)]);
    // Every key a command names (the profile script names its keys among its arguments).
    const touched = commands.flatMap((c) => (c[0] === PLANNER_SCRIPT ? c.slice(2).filter((a) => a.startsWith('t:')) : [c[1] as string]));
    // The user's partition learns the session's views from before the login for /v1/recs (recs/commands.ts): its sequence, and the product's part naming it.
    const recsKeys = [keys.recsSessionItems(viewed.sessionId), keys.recsSessionTime(viewed.sessionId), keys.recsItemSessions('sku-1')];
    const ownKeys = (k: string) => k.startsWith(`${keys.profile('u:user-1')}:`) || k === keys.profile('u:user-1') || k === keys.profilesUpdatedAt || k === keys.seenEvent(viewed.eventId, 'prefix') || recsKeys.includes(k);
    expect(touched.filter((k) => !ownKeys(k))).toEqual([]);
    expect(touched).toContain(keys.recsSessionItems(viewed.sessionId));
    // Never the global sums: popularity counted the event when it was anonymous.
    expect(touched).not.toContain(keys.popularity);

    const original = plan([{ ...viewed, canonicalId: 'a:anon-a' }]);
    expect(original).toContainEqual(['ZINCRBY', keys.popularity, '1', 'sku-1']);
    expect(original).toContainEqual(['SET', keys.seenEvent(viewed.eventId), '1', 'EX', '60']);
  });
});

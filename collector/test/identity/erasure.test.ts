import { describe, expect, it } from 'vitest';
import { topicNames } from '@sessionflow/core';
import { createCollectorApp } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { createCollectorMetrics } from '../../src/metrics.js';
import { erasureCommands, erasureTombstones, type ErasureResult } from '../../src/pipeline/identity/erasure.js';
import { sessionKeys } from '../../src/pipeline/sessions/keys.js';
import { identityKeys } from '../../src/store/identity-keys.js';
import { storeKeys } from '../../src/store/keys.js';
import { FakeProbe, FakeSink, NOW, SECRET } from '../fakes.js';

const keys = storeKeys('t');
const idKeys = identityKeys('t');
const topics = topicNames('t');
const sesKeys = sessionKeys('t');

describe('erasureCommands', () => {
  const { commands, deletes } = erasureCommands('user-1', ['anon-a', 'anon-b'], NOW, keys, idKeys);

  it('marks the user and each device first, by their refs, so stages in flight drop their events', () => {
    const marks = commands.filter((c) => c[0] === 'SET');
    expect(marks.map((c) => c[1])).toEqual([idKeys.erased('u:user-1'), idKeys.erased('a:anon-a'), idKeys.erased('a:anon-b')]);
    expect(marks.every((c) => c[2] === String(NOW))).toBe(true);
    expect(commands.indexOf(marks[0]!)).toBe(0);
  });

  it('deletes the profiles of the user and of each device (engagement baselines included), the links, the device set and the prefixes', () => {
    const deleted = commands.filter((c) => c[0] === 'DEL').map((c) => c[1]);
    expect(deleted).toHaveLength(deletes);
    for (const ref of ['u:user-1', 'a:anon-a', 'a:anon-b']) {
      expect(deleted).toEqual(expect.arrayContaining([keys.profile(ref), keys.profileSessions(ref), keys.profileAffinities(ref), keys.profileRecentlyViewed(ref), keys.profilePurchased(ref), keys.profileDevices(ref), keys.profileBaseline(ref)]));
    }
    expect(deleted).toEqual(expect.arrayContaining([idKeys.userDevices('user-1'), idKeys.link('anon-a'), idKeys.link('anon-b'), idKeys.prefixEvents('anon-a'), idKeys.prefixSession('anon-b')]));
    expect(commands.at(-1)).toEqual(['ZREM', keys.profilesUpdatedAt, 'u:user-1', 'a:anon-a', 'a:anon-b']);
  });

  it("erases a crafted user id's own keys only, never those of the user or device its id reads like", () => {
    const crafted = erasureCommands('X:affinities', ['anon-c'], NOW, keys, idKeys);
    const touched = crafted.commands.map((c) => c[1] as string);
    for (const ref of ['u:X', 'a:X']) for (const key of [keys.profile(ref), keys.profileAffinities(ref), keys.profileSessions(ref), idKeys.erased(ref)]) expect(touched).not.toContain(key);
    expect(touched).toContain(keys.profileAffinities('u:X%3Aaffinities'));
    expect(touched).not.toContain(idKeys.userDevices('X'));
    const deviceLike = erasureCommands('anon-a', [], NOW, keys, idKeys);
    expect(deviceLike.commands.map((c) => c[1])).not.toContain(keys.profile('a:anon-a'));
  });

  it('tombstones the profiles of the user and its devices (by ref), the devices links and the sessions', () => {
    expect(erasureTombstones('user-1', ['anon-a'], topics, ['s-1'])).toEqual([
      { topic: topics.profiles, key: 'u:user-1', value: null },
      { topic: topics.profiles, key: 'a:anon-a', value: null },
      { topic: topics.identity, key: 'anon-a', value: null },
      { topic: topics.sessions, key: 's-1', value: null },
    ]);
  });
});

describe('erasureCommands with the other stages\' state', () => {
  const others = { sessionIds: ['s-1', 's-2'], experiments: ['exp-a', 'exp-b'], sessionKeys: sesKeys };
  const { commands, markers, deletes } = erasureCommands('user-1', ['anon-a', 'anon-b'], NOW, keys, idKeys, others);
  const deleted = commands.filter((c) => c[0] === 'DEL').map((c) => c[1]);

  it('deletes each session\'s live state, recommendation sequence and time, and each device\'s session index', () => {
    for (const sid of ['s-1', 's-2']) {
      expect(deleted).toEqual(expect.arrayContaining([sesKeys.session(sid), keys.recsSessionItems(sid), keys.recsSessionTime(sid)]));
    }
    expect(deleted).toEqual(expect.arrayContaining([sesKeys.device('anon-a'), sesKeys.device('anon-b')]));
    expect(deleted).toHaveLength(deletes);
  });

  it('removes the user and its devices from each configured experiment\'s units, never its counts', () => {
    const removals = commands.filter((c) => c[0] === 'HDEL');
    expect(removals).toEqual([
      ['HDEL', keys.experimentUnits('exp-a'), 'u:user-1', 'a:anon-a', 'a:anon-b'],
      ['HDEL', keys.experimentUnits('exp-b'), 'u:user-1', 'a:anon-a', 'a:anon-b'],
    ]);
    expect(commands.some((c) => c.includes(keys.experimentCounts('exp-a')))).toBe(false);
  });

  it('keeps the markers first and the DELs right after them, where their replies are counted', () => {
    expect(commands.slice(0, markers).every((c) => c[0] === 'SET')).toBe(true);
    expect(commands.slice(markers, markers + deletes).every((c) => c[0] === 'DEL')).toBe(true);
  });
});

describe('DELETE /v1/users/:id', () => {
  const result: ErasureResult = { userId: 'user-1', anonymousIds: ['anon-a'], redisKeysRemoved: 7, tombstones: { profiles: ['u:user-1', 'a:anon-a'], identity: ['anon-a'], sessions: ['s-1'] } };
  const setup = (erase: ((id: string, now: number) => Promise<ErasureResult>) | undefined) =>
    createCollectorApp({
      config: { relaySecret: SECRET, readSecret: 'read-secret', catalogSecret: 'catalog-secret', adminSecret: 'admin-secret', bodyLimitBytes: 1024, produceTimeoutMs: 5_000 },
      topics,
      sink: new FakeSink(),
      readiness: new FakeProbe(),
      erase,
      metrics: createCollectorMetrics(),
      now: () => NOW,
      logger: createLogger('error', () => undefined),
    });
  const auth = { authorization: 'Bearer admin-secret' };

  it('erases with the admin secret and answers 202 with what was removed', async () => {
    const calls: [string, number][] = [];
    const app = setup(async (id, now) => {
      calls.push([id, now]);
      return result;
    });
    const response = await app.request('/v1/users/user-1', { method: 'DELETE', headers: auth });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual(result);
    expect(calls).toEqual([['user-1', NOW]]);
  });

  it('refuses without the secret, and answers 503 without a store or when the erasure fails', async () => {
    const app = setup(async () => result);
    expect((await app.request('/v1/users/user-1', { method: 'DELETE' })).status).toBe(401);
    const none = await setup(undefined).request('/v1/users/user-1', { method: 'DELETE', headers: auth });
    expect(none.status).toBe(503);
    expect(((await none.json()) as { error: string }).error).toBe('read_store_unavailable');
    const failing = await setup(async () => {
      throw new Error('Kafka did not acknowledge');
    }).request('/v1/users/user-1', { method: 'DELETE', headers: auth });
    expect(failing.status).toBe(503);
    expect(((await failing.json()) as { message: string }).message).toMatch(/Kafka did not acknowledge/);
  });
});

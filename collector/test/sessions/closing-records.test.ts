/**
 * The sessions ticker on a fake clock and a store of plain maps
 * (src/pipeline/sessions/ticker.ts): every snapshot goes to the sessions
 * topic, and each closing one also to the by-user topic, keyed by the person
 * it counts for: the user id it carries, else the user its device is linked
 * to now (the identity stage's link, in the same events partition's slot),
 * else the device. The partition that owns that person adds it to the
 * baseline (../baseline-plan.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { topicNames } from '@sessionflow/core';
import { readClosedSessionValue } from '../../src/pipeline/baseline/closing.js';
import type { KeyedRecord } from '../../src/pipeline/identity/records.js';
import { planSessionEvents } from '../../src/pipeline/sessions/fold-plan.js';
import { sessionKeys } from '../../src/pipeline/sessions/keys.js';
import { SessionTicker } from '../../src/pipeline/sessions/ticker.js';
import { createLogger } from '../../src/log.js';
import type { StoreClient } from '../../src/store/client.js';
import { identityKeys } from '../../src/store/identity-keys.js';
import { hashTagOf } from '../../src/store/owner.js';
import { decodeBatch } from '../fake-store.js';
import { MemoryStore } from './memory-store.js';
import { pageView, sessionEvent, T0 } from './events.js';

const topics = topicNames('t');
const PARTITION = 2;
const GAP = 30 * 60_000;
const keys = sessionKeys('t', topics.events, PARTITION);
const links = identityKeys('t', topics.events, PARTITION);

/** The ticker's reads over the memory store, and its guarded batches run on it (a guard that no longer holds refuses the batch). */
function memoryClient(store: MemoryStore, scripts: string[][]): StoreClient {
  const byScore = (key: string, max: number, exclusive: boolean) =>
    [...store.members(key)].filter(([, score]) => (exclusive ? score < max : score <= max)).sort(([, a], [, b]) => a - b);
  const client: Partial<StoreClient> = {
    mGet: async (ks) => ks.map((k) => store.strings.get(k) ?? null),
    hGet: async (key, field) => store.hashes.get(key)?.get(field) ?? null,
    hmGet: async (key, fields) => fields.map((field) => store.hashes.get(key)?.get(field) ?? null),
    zRange: async (key, _min, max) => byScore(key, Number(String(max).replace('(', '')), String(max).startsWith('(')).map(([member]) => member),
    zRangeWithScores: async (key, _min, max) => byScore(key, Number(max), false).map(([value, score]) => ({ value, score })),
    runScript: async (_script, declared, args) => {
      const batch = decodeBatch(declared, args);
      scripts.push([...declared]);
      const held = batch.guards.every((g) => (g.field === undefined ? (store.strings.get(g.key) ?? null) : (store.hashes.get(g.key)?.get(g.field) ?? null)) === g.expected);
      if (!held) return [0, 1];
      store.run(batch.commands);
      return [1];
    },
  };
  return client as StoreClient;
}

describe('closing snapshots on the by-user topic', () => {
  it('go keyed by the user the session carries, else the user its device is linked to, else the device', async () => {
    const store = new MemoryStore();
    const events = [
      pageView('s-1', T0),
      sessionEvent('s-1', T0 + 1_000, { type: 'identify', userId: 'user-1' }),
      pageView('s-2', T0),
      pageView('s-3', T0 + 10),
    ];
    store.run(planSessionEvents(events, new Map(), { keys, seenTtlSeconds: 60, snapshotIntervalMs: 5_000 }));
    // anon-of-s-2 logged in elsewhere: the identity stage linked it, in this events partition's slot.
    store.strings.set(links.link('anon-of-s-2'), 'user-2');

    const sent: KeyedRecord[] = [];
    const scripts: string[][] = [];
    const ticker = new SessionTicker({
      redis: memoryClient(store, scripts),
      prefix: 't',
      eventsTopic: topics.events,
      byUserTopic: topics.eventsByUser,
      sessionsTopic: topics.sessions,
      owned: () => [PARTITION],
      partitionOffsets: async () => new Map([[PARTITION, { low: 0n, high: 0n }]]),
      send: async (records) => void sent.push(...records),
      clock: () => T0 + GAP + 60_000,
      gapMs: GAP,
      snapshotIntervalMs: 5_000,
      closedTtlSeconds: 60,
      tickMs: 1_000,
      logger: createLogger('error', () => undefined),
    });
    await ticker.tick();

    const bySession = sent.filter((r) => r.topic === topics.sessions);
    expect(bySession.map((r) => r.key).sort()).toEqual(['s-1', 's-2', 's-3']);
    const byUser = sent.filter((r) => r.topic === topics.eventsByUser);
    const counted = byUser.map((r) => {
      const read = readClosedSessionValue(r.value as string);
      if (read.kind !== 'closed') throw new Error(`not a closed session: ${read.kind}`);
      return [r.key, read.session.profile, read.session.sessionId];
    });
    expect(counted.sort()).toEqual([
      ['a:anon-of-s-3', 'a:anon-of-s-3', 's-3'],
      ['u:user-1', 'u:user-1', 's-1'],
      ['u:user-2', 'u:user-2', 's-2'],
    ]);
    // Recorded as closed, in one script of the partition's slot.
    expect(store.members(keys.open).size).toBe(0);
    expect(scripts).toHaveLength(1);
    expect(new Set(scripts[0]!.map(hashTagOf))).toEqual(new Set([hashTagOf(keys.offset)]));
  });

  it('sends nothing to the by-user topic for open snapshots', async () => {
    const store = new MemoryStore();
    store.run(planSessionEvents([pageView('s-4', T0)], new Map(), { keys, seenTtlSeconds: 60, snapshotIntervalMs: 5_000 }));
    const sent: KeyedRecord[] = [];
    const ticker = new SessionTicker({
      redis: memoryClient(store, []),
      prefix: 't',
      eventsTopic: topics.events,
      byUserTopic: topics.eventsByUser,
      sessionsTopic: topics.sessions,
      owned: () => [PARTITION],
      partitionOffsets: async () => new Map([[PARTITION, { low: 0n, high: 0n }]]),
      send: async (records) => void sent.push(...records),
      clock: () => T0 + 100,
      gapMs: GAP,
      snapshotIntervalMs: 5_000,
      closedTtlSeconds: 60,
      tickMs: 1_000,
      logger: createLogger('error', () => undefined),
    });
    await ticker.tick();
    expect(sent.map((r) => [r.topic, r.key])).toEqual([[topics.sessions, 's-4']]);
  });

  it("counts a session reopened by a late event for the profile its first closing counted for, though its device was linked since", async () => {
    const store = new MemoryStore();
    store.run(planSessionEvents([pageView('s-5', T0)], new Map(), { keys, seenTtlSeconds: 60, snapshotIntervalMs: 5_000 }));
    const sent: KeyedRecord[] = [];
    let now = T0 + GAP + 60_000;
    const ticker = new SessionTicker({
      redis: memoryClient(store, []),
      prefix: 't',
      eventsTopic: topics.events,
      byUserTopic: topics.eventsByUser,
      sessionsTopic: topics.sessions,
      owned: () => [PARTITION],
      partitionOffsets: async () => new Map([[PARTITION, { low: 0n, high: 0n }]]),
      send: async (records) => void sent.push(...records),
      clock: () => now,
      gapMs: GAP,
      snapshotIntervalMs: 5_000,
      closedTtlSeconds: 60,
      tickMs: 1_000,
      logger: createLogger('error', () => undefined),
    });
    await ticker.tick();
    const profiles = () => sent.filter((r) => r.topic === topics.eventsByUser).map((r) => r.key);
    expect(profiles()).toEqual(['a:anon-of-s-5']);

    // The device logs in elsewhere, then a late event of s-5 reopens it; it closes again after the gap.
    store.strings.set(links.link('anon-of-s-5'), 'user-5');
    const hash = keys.session('s-5');
    const stored = [...store.hashes.get(hash)!.entries()].map(([field, value]) => [field, value]);
    expect(stored.some(([field, value]) => field === 'countedFor' && value === 'a:anon-of-s-5')).toBe(true);
    const late = pageView('s-5', now);
    store.run(planSessionEvents([late], new Map(), { keys, seenTtlSeconds: 60, snapshotIntervalMs: 5_000 }));
    now += GAP + 60_000;
    await ticker.tick();
    // The same profile as the first closing: its partition finds the session counted and adds nothing twice.
    expect(profiles()).toEqual(['a:anon-of-s-5', 'a:anon-of-s-5']);
  });
});

import { describe, expect, it } from 'vitest';
import { topicNames, type IngestedEvent } from '@sessionflow/core';
import type { RedisCommand } from '../../src/pipeline/commands.js';
import { recsViewCommands } from '../../src/pipeline/recs/commands.js';
import { storeKeys } from '../../src/store/keys.js';
import { RECS_LIMITS } from '../../src/store/recs-keys.js';
import { click, NOW, pageView } from '../fakes.js';

const keys = storeKeys('t', topicNames('t').eventsByUser, 5);
const ingest = { siteKey: 'demo-site-key', receivedAt: NOW, ingestedAt: NOW + 5 };

function view(session: string, productId: string, at: number, extra: Record<string, unknown> = {}): IngestedEvent {
  return { ...click('anon-aaaaaaaa', productId), sessionId: session, timestamp: at, ingest, ...extra } as unknown as IngestedEvent;
}

function track(session: string, name: string, props: Record<string, unknown>): IngestedEvent {
  return { ...pageView('anon-aaaaaaaa'), sessionId: session, type: 'track', name, props, ingest } as unknown as IngestedEvent;
}

/** The lists and strings the planner's commands leave behind, as Redis would (expiries aside). */
function run(batches: readonly RedisCommand[][]): { lists: Map<string, string[]>; strings: Map<string, string> } {
  const lists = new Map<string, string[]>();
  const strings = new Map<string, string>();
  const list = (key: string) => lists.get(key) ?? (lists.set(key, []).get(key) as string[]);
  for (const command of batches.flat()) {
    const [name, key = '', a = '', b = ''] = command;
    // Variadic, as in Redis: RPUSH appends the values in order, LPUSH puts each in turn at the head.
    if (name === 'RPUSH') list(key).push(...command.slice(2));
    else if (name === 'LPUSH') for (const value of command.slice(2)) list(key).unshift(value);
    else if (name === 'LREM') lists.set(key, list(key).filter((v) => v !== b));
    else if (name === 'LTRIM') {
      const values = list(key);
      const from = Number(a) < 0 ? Math.max(0, values.length + Number(a)) : Number(a);
      const to = Number(b) < 0 ? values.length + Number(b) : Number(b);
      lists.set(key, values.slice(from, to + 1));
    } else if (name === 'SET') strings.set(key, a);
    else if (name !== 'EXPIRE') throw new Error(`unexpected ${name}`);
  }
  return { lists, strings };
}

describe('recsViewCommands', () => {
  it("appends each view to its session, puts the session at the head of the product's recent sessions, and dates the session", () => {
    const commands = recsViewCommands([view('s-1', 'A', NOW - 30), view('s-1', 'B', NOW - 20), view('s-2', 'A', NOW - 10)], keys);
    const { lists, strings } = run([commands]);
    expect(lists.get(keys.recsSessionItems('s-1'))).toEqual(['A', 'B']);
    expect(lists.get(keys.recsSessionItems('s-2'))).toEqual(['A']);
    expect(lists.get(keys.recsItemSessions('A'))).toEqual(['s-2', 's-1']);
    expect(lists.get(keys.recsItemSessions('B'))).toEqual(['s-1']);
    expect(strings.get(keys.recsSessionTime('s-1'))).toBe(String(NOW - 20));
    expect(strings.get(keys.recsSessionTime('s-2'))).toBe(String(NOW - 10));
  });

  it('bounds every key it writes and lets it expire', () => {
    const commands = recsViewCommands([view('s-1', 'A', NOW)], keys);
    const ttl = String(RECS_LIMITS.ttlSeconds);
    expect(commands).toContainEqual(['LTRIM', keys.recsSessionItems('s-1'), String(-RECS_LIMITS.itemsPerSession), '-1']);
    expect(commands).toContainEqual(['EXPIRE', keys.recsSessionItems('s-1'), ttl]);
    expect(commands).toContainEqual(['SET', keys.recsSessionTime('s-1'), String(NOW), 'EX', ttl]);
    expect(commands).toContainEqual(['LTRIM', keys.recsItemSessions('A'), '0', String(RECS_LIMITS.sessionsPerItem - 1)]);
    expect(commands).toContainEqual(['EXPIRE', keys.recsItemSessions('A'), ttl]);

    const small = { itemsPerSession: 2, sessionsPerItem: 2, ttlSeconds: 60 };
    const views = ['A', 'B', 'C'].map((item, i) => view('s-1', item, NOW + i));
    const sessions = ['s-1', 's-2', 's-3'].map((session, i) => view(session, 'Z', NOW + 10 + i));
    const { lists } = run([recsViewCommands([...views, ...sessions], keys, small)]);
    expect(lists.get(keys.recsSessionItems('s-1'))).toEqual(['C', 'Z']);
    expect(lists.get(keys.recsItemSessions('Z'))).toEqual(['s-3', 's-2']);
  });

  it('learns from product views only, prefix records re-sent after a login included (they teach the user\'s partition)', () => {
    const commands = recsViewCommands(
      [
        track('s-1', 'add_to_cart', { productId: 'A' }),
        track('s-1', 'purchase', { productId: 'A' }),
        { ...pageView('anon-aaaaaaaa'), ingest } as unknown as IngestedEvent,
      ],
      keys,
    );
    expect(commands).toEqual([]);
    const prefix = run([recsViewCommands([view('s-1', 'B', NOW, { canonicalId: 'u:user-1', attribution: 'prefix' })], keys)]);
    expect(prefix.lists.get(keys.recsSessionItems('s-1'))).toEqual(['B']);
    const viewTrack = track('s-1', 'product_view', { productId: 'C' });
    expect(run([recsViewCommands([viewTrack, view('s-1', 'D', NOW, { canonicalId: 'user-1' })], keys)]).lists.get(keys.recsSessionItems('s-1'))).toEqual(['C', 'D']);
  });

  it('leaves the same state however the records are cut into batches, repeat views included', () => {
    const events = [
      view('s-1', 'A', NOW),
      view('s-2', 'A', NOW + 1),
      view('s-1', 'B', NOW + 2),
      view('s-1', 'A', NOW + 3),
      view('s-3', 'B', NOW + 4),
      view('s-2', 'B', NOW + 5),
    ];
    const whole = run([recsViewCommands(events, keys)]);
    for (let cut = 1; cut < events.length; cut++) {
      expect(run([recsViewCommands(events.slice(0, cut), keys), recsViewCommands(events.slice(cut), keys)])).toEqual(whole);
    }
    // s-1 viewed A again after s-2 did: it is A's most recent viewer.
    expect(whole.lists.get(keys.recsItemSessions('A'))).toEqual(['s-1', 's-2']);
  });
});

/**
 * What the batch script must read before it writes (store/batch-checks.ts):
 * every command the planners emit is known to the checks, each typed key and
 * each value an increment adds to is checked, and a batch that would fail on
 * its own arguments or order is a planning error.
 */
import { describe, expect, it } from 'vitest';
import { canonicalRef, deviceRef, topicNames, userRef, type IngestedEvent } from '@sessionflow/core';
import { eventCommands, inventoryCommands, PLANNER_SCRIPT, productCommands, type RedisCommand } from '../src/pipeline/commands.js';
import { planBaseline } from '../src/pipeline/baseline/plan.js';
import { parseExperiments } from '../src/pipeline/experiments/config.js';
import { EXPERIMENT_SCRIPT } from '../src/pipeline/experiments/script.js';
import { planIdentity, type DeviceState, type IdentityEvent } from '../src/pipeline/identity/plan.js';
import type { ByUserEvent } from '../src/pipeline/identity/records.js';
import { PLANNER_SCRIPTS } from '../src/pipeline/planner-scripts.js';
import { planSessionEvents } from '../src/pipeline/sessions/fold-plan.js';
import { sessionKeys } from '../src/pipeline/sessions/keys.js';
import { batchChecks, BatchPlanError, COMMAND_RULES, type Check } from '../src/store/batch-checks.js';
import { identityKeys } from '../src/store/identity-keys.js';
import { hashTagOf } from '../src/store/owner.js';
import { erasureMarks } from '../src/erasure/marks.js';
import { storeKeys } from '../src/store/keys.js';
import { NOW } from './fakes.js';

const topics = topicNames('t');
// A by-user partition's keys, and the products and inventory partitions' that own the catalog and the stock.
const keys = storeKeys('t', topics.eventsByUser, 0);
const productKeys = storeKeys('t', topics.products, 1);
const stockKeys = storeKeys('t', topics.inventory, 2);
const checks = (commands: RedisCommand[]) => batchChecks(commands, PLANNER_SCRIPTS);
const typeOf = (found: Check[]) => new Map(found.flatMap((c) => (c.op === 'type' ? [[c.key, c.type] as const] : [])));

let counter = 0;
function event(type: string, body: Record<string, unknown> = {}, anonymousId = 'anon-a', sessionId = 's-1'): IngestedEvent {
  counter++;
  return {
    schemaVersion: 1,
    eventId: `evt-${counter}`,
    anonymousId,
    sessionId,
    timestamp: NOW + counter,
    page: { url: 'https://shop.example/?utm_source=mail', referrer: '' },
    type,
    ...body,
    ingest: { siteKey: 'site', receivedAt: NOW + counter + 1, ingestedAt: NOW + counter + 2, device: 'mobile' },
  } as unknown as IngestedEvent;
}

/** A day of a shop in miniature: every kind of event the planners turn into commands. */
function shopEvents(): IngestedEvent[] {
  return [
    event('page_view'),
    event('click', { element: { tag: 'a' }, product: { id: 'mug', category: 'kitchen' } }),
    event('track', { name: 'product_view', props: { productId: 'pan' } }),
    event('track', { name: 'add_to_cart', props: { productId: 'mug' } }),
    event('exposure', { actionId: 'recs-1', experiment: 'recs-strategy', variant: 'similar' }),
    event('identify', { userId: 'user-1' }),
    event('track', { name: 'purchase', props: { items: [{ productId: 'mug' }, { productId: 'pan' }] }, userId: 'user-1' }),
    event('page_view', {}, 'anon-b', 's-2'),
    event('identify', { userId: 'user-2' }, 'anon-b', 's-2'),
    event('identify', { userId: 'user-1' }, 'anon-b', 's-2'),
  ];
}

describe('the planners and the checks', () => {
  const experiments = parseExperiments(JSON.stringify([{ key: 'recs-strategy', version: 1, traffic: 1, variants: [{ name: 'similar', weight: 1 }, { name: 'popular', weight: 1 }] }]), 'EXPERIMENTS');

  it("know every command of the aggregates stage's events, products and inventory, and check each key's type", () => {
    const byUser = shopEvents().map((e) => ({ ...e, canonicalId: canonicalRef(e.userId, e.anonymousId), source: 'mail' }) as ByUserEvent);
    const prefix = { ...byUser[1]!, eventId: 'evt-prefix', canonicalId: userRef('user-1'), attribution: 'prefix' } as ByUserEvent;
    const commands = [
      ...eventCommands([...byUser, prefix], { keys, seenTtlSeconds: 60, categoryOf: () => 'kitchen', experiments }),
      ...(productCommands('mug', JSON.stringify({ id: 'mug', name: 'Mug', category: 'kitchen', price: '€1' }), productKeys) ?? []),
      ...(productCommands('old', null, productKeys) ?? []),
      ...(inventoryCommands('mug', '{"inStock":true}', stockKeys) ?? []),
      ['SET', keys.offset, '42'],
    ];
    const found = checks(commands);
    const types = typeOf(found);
    expect(types.get(keys.popularity)).toBe('zset');
    expect(types.get(keys.profilesUpdatedAt)).toBe('zset');
    expect(types.get(keys.profileSessions(deviceRef('anon-a')))).toBe('zset');
    expect(types.get(keys.profile(deviceRef('anon-a')))).toBe('hash');
    expect(found).toContainEqual(expect.objectContaining({ op: 'int', key: keys.profile(deviceRef('anon-a')), field: 'sessions' }));
    expect(types.get(keys.profileAffinities(deviceRef('anon-a')))).toBe('hash');
    expect(types.get(keys.profileRecentlyViewed(deviceRef('anon-a')))).toBe('list');
    expect(types.get(productKeys.products)).toBe('hash');
    expect(types.get(stockKeys.inventory)).toBe('hash');
    expect(types.get(keys.experimentCounts('recs-strategy'))).toBe('hash');
    expect([...types.values()]).toContain('hll');
    // Every key a typed command touches has its check: none is written unread.
    const typed = commands.filter((c) => !['SET', 'EXPIRE', 'EXPIREAT', PLANNER_SCRIPT, 'PERSIST', 'DEL'].includes(c[0]!)).map((c) => c[1]!);
    for (const key of typed) expect(types.has(key)).toBe(true);
    // The increments: affinities (floats), funnel events (integers), and every field of the experiment's counts.
    expect(found.some((c) => c.op === 'float' && c.key === keys.profileAffinities(deviceRef('anon-a')))).toBe(true);
    expect(found.some((c) => c.op === 'int' && c.key.includes('rollup'))).toBe(true);
    expect(found).toContainEqual(expect.objectContaining({ op: 'intValues', key: keys.experimentCounts('recs-strategy') }));
  });

  it("know every command of the identity stage's links and prefixes", () => {
    const idKeys = identityKeys('t', topics.events, 3);
    const browsing = event('click', { element: { tag: 'a' }, product: { id: 'mug' } }, 'anon-c', 's-3');
    const events: IdentityEvent[] = [...shopEvents(), browsing].map((e) => ({ event: e, raw: JSON.stringify(e) }));
    // anon-c goes on with its stored session (its prefix list is appended to as stored); anon-b starts a new one (deleted first).
    const stored = new Map<string, DeviceState>([
      ['anon-c', { userId: undefined, sessionId: 's-3', prefix: [] }],
      ['anon-b', { userId: 'user-9', sessionId: 's-0', prefix: ['x'] }],
    ]);
    const plan = planIdentity(events, stored, new Map(), { keys: idKeys, topics });
    const found = checks([...plan.commands, ['SET', idKeys.offset, '7']]);
    // Every key checked is the device's events partition's: the user's side of a link is written where the user's records land.
    expect(found.filter((c) => hashTagOf(c.key) !== hashTagOf(idKeys.offset))).toEqual([]);
    expect(typeOf(found).get(idKeys.prefixEvents('anon-c'))).toBe('list');
    expect(typeOf(found).has(idKeys.prefixEvents('anon-b'))).toBe(false);
    expect(plan.commands.map((c) => c[0])).toEqual(expect.arrayContaining(['SET', 'RPUSH', 'LTRIM', 'EXPIRE', 'DEL']));
  });

  it("know every command of the sessions stage's folds and the baseline", () => {
    const sKeys = sessionKeys('t', topics.events, 1);
    const folded = planSessionEvents(shopEvents(), new Map(), { keys: sKeys, seenTtlSeconds: 60, snapshotIntervalMs: 5_000 });
    const found = checks(folded);
    expect(typeOf(found).get(sKeys.session('s-1'))).toBe('hash');
    expect(typeOf(found).get(sKeys.open)).toBe('zset');
    expect(found).toContainEqual(expect.objectContaining({ op: 'int', key: sKeys.session('s-1'), field: 'version' }));

    const baseline = planBaseline(
      [{ sessionId: 's-1', profile: userRef('user-1'), anonymousId: 'anon-a', userId: 'user-1', lastActivityAt: NOW, events: 3, pageViews: 1, activeMs: 500 }],
      { marks: new Map(), counted: new Map() },
      { keys, marks: erasureMarks('t', 'test-erasure-secret').at(topics.eventsByUser, 0), seenTtlSeconds: 60 },
    );
    expect(checks(baseline.commands)).toContainEqual({ op: 'int', key: keys.profileBaseline(userRef('user-1')), field: 'events', up: 3, down: 0, describe: expect.any(String) });
  });
});

describe('batchChecks', () => {
  it('adds up what a batch adds to one field into one check', () => {
    expect(checks([['HINCRBY', 'h', 'n', '2'], ['HINCRBY', 'h', 'n', '-1'], ['HINCRBY', 'h', 'n', '5'], ['HINCRBYFLOAT', 'h', 'f', '-0.5'], ['HINCRBYFLOAT', 'h', 'f', '0.25']])).toEqual([
      { op: 'type', key: 'h', type: 'hash', describe: 'HINCRBY (command 1)' },
      { op: 'int', key: 'h', field: 'n', up: 7, down: 1, describe: 'HINCRBY (command 1), HINCRBY (command 2), HINCRBY (command 3)' },
      { op: 'float', key: 'h', field: 'f', by: 0.75, describe: 'HINCRBYFLOAT (command 4), HINCRBYFLOAT (command 5)' },
    ]);
  });

  it('needs no check for a key the batch itself deleted or set first', () => {
    expect(checks([['DEL', 'l'], ['RPUSH', 'l', 'a'], ['SET', 's', '1', 'EX', '10'], ['EXPIRE', 's', '20'], ['DEL', 'h'], ['HINCRBY', 'h', 'n', '1']])).toEqual([]);
    expect(checks([['HSET', 'h', 'n', '41'], ['HINCRBY', 'h', 'n', '1']])).toEqual([{ op: 'type', key: 'h', type: 'hash', describe: 'HSET (command 1)' }]);
  });

  it("checks a counter's value as an integer, or knows it when the batch set it", () => {
    expect(checks([['INCRBY', 'n', '5'], ['DECR', 'n'], ['INCR', 'n']])).toEqual([
      { op: 'type', key: 'n', type: 'string', describe: 'INCRBY (command 1)' },
      { op: 'int', key: 'n', field: '', up: 6, down: 1, describe: 'INCRBY (command 1), DECR (command 2), INCR (command 3)' },
    ]);
    expect(checks([['SET', 'n', '41'], ['INCR', 'n'], ['DEL', 'm'], ['INCRBY', 'm', '3']])).toEqual([]);
    expect(() => checks([['SET', 'n', 'forty-one'], ['INCR', 'n']])).toThrow(/non-integer/);
  });

  it('checks PFADD keys as HyperLogLogs, and the fields of a hash an experiment script may increment', () => {
    expect(checks([['PFADD', 'v', 'a', 'b']])).toEqual([{ op: 'type', key: 'v', type: 'hll', describe: 'PFADD (command 1)' }]);
    const script = [PLANNER_SCRIPT, EXPERIMENT_SCRIPT, 'exposure', 'c', 'u', 'unit-1', 'A', 'conversion', 'c', 'u', 'unit-1', ''];
    expect(checks([script])).toEqual([
      { op: 'type', key: 'u', type: 'hash', describe: `${PLANNER_SCRIPT} (command 1) (script)` },
      { op: 'type', key: 'c', type: 'hash', describe: `${PLANNER_SCRIPT} (command 1) (script)` },
      { op: 'intValues', key: 'c', up: 3, describe: `${PLANNER_SCRIPT} (command 1) (script)` },
    ]);
  });

  it.each([
    ['a key used as two types', [['SADD', 'k', 'a'], ['RPUSH', 'k', 'b']], /needs k to be a list/],
    ['a key SET and then pushed to', [['SET', 'k', 'v'], ['LPUSH', 'k', 'a']], /earlier command of the batch makes it a string/],
    ['an increment of a field set to text', [['HSET', 'h', 'n', 'many'], ['HINCRBY', 'h', 'n', '1']], /non-integer/],
    ['integers and floats added to one field', [['HINCRBY', 'h', 'n', '1'], ['HINCRBYFLOAT', 'h', 'n', '0.5']], /also adds integers/],
    ['an increment that is no integer', [['HINCRBY', 'h', 'n', '1.5']], /the increment must be an integer/],
    ['a float increment that is no number', [['HINCRBYFLOAT', 'h', 'n', 'NaN']], /finite decimal/],
    ['an expiry of 0', [['SET', 's', 'v', 'EX', '0']], /at least 1/],
    ['a SET option nobody plans', [['SET', 's', 'v', 'NX']], /only SET key value/],
    ['a score that is NaN', [['ZADD', 'z', 'nan', 'm']], /not a score/],
    ['incompatible ZADD options', [['ZADD', 'z', 'NX', 'GT', '1', 'm']], /cannot go together/],
    ['a count that is no integer', [['LREM', 'l', 'all', 'x']], /the count must be an integer/],
    ['an expiry that is no integer', [['EXPIRE', 'k', 'soon']], /the expiry must be an integer/],
    ['HSET without a value', [['HSET', 'h', 'f']], /at least 3/],
    ['a command the table does not know', [['INCRBYFLOAT', 'k', '1.5']], /INCRBYFLOAT is not a command the batch checks know/],
    ['a script that declares nothing', [[PLANNER_SCRIPT, 'return 1']], /declares nothing/],
    // A planner sends no script of its own to Redis: only the batch's one script runs, with its keys declared.
    ['a raw EVAL', [['EVAL', 'return 1', '1', 'k']], /EVAL is not a command the batch checks know/],
  ] as [string, RedisCommand[], RegExp][])('refuses %s at planning', (_what, commands, message) => {
    expect(() => checks(commands)).toThrow(BatchPlanError);
    expect(() => checks(commands)).toThrow(message);
  });

  it('knows the commands the planners emit today, and those bounding state may add', () => {
    expect(Object.keys(COMMAND_RULES).sort()).toEqual(
      ['DECR', 'DECRBY', 'DEL', 'EXPIRE', 'EXPIREAT', 'HDEL', 'HINCRBY', 'HINCRBYFLOAT', 'HSET', 'HSETNX', 'INCR', 'INCRBY', 'LPOP', 'LPUSH', 'LREM', 'LTRIM', 'PERSIST', 'PEXPIRE', 'PEXPIREAT', 'PFADD', 'RPOP', 'RPUSH', 'SADD', 'SET', 'SREM', 'UNLINK', 'ZADD', 'ZINCRBY', 'ZREM', 'ZREMRANGEBYRANK', 'ZREMRANGEBYSCORE'],
    );
  });
});

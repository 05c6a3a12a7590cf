/**
 * The batch's one script call (src/store/guarded-batch.ts), without Redis: how
 * guards, checks and commands travel, that every key the batch touches is
 * declared (KEYS, what Redis Cluster routes by), that a batch of two
 * partitions is refused before anything is sent, and what the runner hands
 * the store client. What Redis does with it: integration/guarded-batch.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { canonicalRef, topicNames, type IngestedEvent } from '@sessionflow/core';
import { eventCommands, PLANNER_SCRIPT, type RedisCommand } from '../src/pipeline/commands.js';
import { planBaseline } from '../src/pipeline/baseline/plan.js';
import { parseExperiments } from '../src/pipeline/experiments/config.js';
import { EXPERIMENT_SCRIPT } from '../src/pipeline/experiments/script.js';
import type { ByUserEvent } from '../src/pipeline/identity/records.js';
import { PLANNER_SCRIPTS } from '../src/pipeline/planner-scripts.js';
import { profileScriptTouches } from '../src/pipeline/profiles/script-touches.js';
import { PROFILE_SCRIPT } from '../src/pipeline/profiles/script.js';
import { BatchPlanError, commandKeys } from '../src/store/batch-checks.js';
import { BatchWouldFailError, guardedBatchCall, packArguments, runGuardedBatch, type Guard } from '../src/store/guarded-batch.js';
import { storeKeys } from '../src/store/keys.js';
import { hashTagOf } from '../src/store/owner.js';
import { erasureMarks } from '../src/erasure/marks.js';
import { click, NOW, pageView } from './fakes.js';
import { fakeStore } from './fake-store.js';

const topics = topicNames('t');
const keys = storeKeys('t', topics.eventsByUser, 3);
const elsewhere = storeKeys('t', topics.eventsByUser, 4);
const marks = erasureMarks('t', 'test-erasure-secret').at(topics.eventsByUser, 3);
const experiments = parseExperiments(JSON.stringify([{ key: 'recs-strategy', version: 1, traffic: 1, variants: [{ name: 'similar', weight: 1 }, { name: 'popular', weight: 1 }] }]), 'EXPERIMENTS');

/** A realistic batch of one by-user partition: events of two people, an exposure, a closed session, the guards the stage reads, the offset. */
function partitionBatch(): { guards: Guard[]; commands: RedisCommand[] } {
  const ingest = { siteKey: 's', receivedAt: NOW, ingestedAt: NOW + 1 };
  const events = [
    { ...click('anon-a', 'mug'), ingest },
    { ...pageView('anon-a'), userId: 'user-1', ingest },
    { ...pageView('anon-b'), type: 'exposure', actionId: 'recs-1', experiment: 'recs-strategy', variant: 'similar', ingest },
    { ...pageView('anon-b'), type: 'track', name: 'purchase', props: { items: [{ productId: 'mug' }] }, ingest },
  ].map((raw) => {
    const e = raw as unknown as IngestedEvent;
    return { ...e, canonicalId: canonicalRef(e.userId, e.anonymousId) } as ByUserEvent;
  });
  const baseline = planBaseline(
    [{ sessionId: 's-9', profile: 'u:user-1', anonymousId: 'anon-a', userId: 'user-1', lastActivityAt: NOW, events: 2, pageViews: 1, activeMs: 300 }],
    { marks: new Map(), counted: new Map() },
    { keys, marks, seenTtlSeconds: 60 },
  );
  const commands = [...eventCommands(events, { keys, seenTtlSeconds: 60, categoryOf: () => 'kitchen', experiments }), ...baseline.commands, ['SET', keys.offset, '8']];
  const guards: Guard[] = [{ key: keys.offset, expected: '7' }, ...events.map((e) => ({ key: keys.seenEvent(e.eventId), expected: null })), ...baseline.guards];
  return { guards, commands };
}

describe('guardedBatchCall', () => {
  it('passes guards, then the checks to read before writing, then each command with its argument count, and a planner script as a function of its arguments', () => {
    const call = guardedBatchCall(
      [
        { key: '{p}offset', expected: '41' },
        { key: '{p}seen:e1', expected: null },
        { key: '{p}session:s1', field: 'version', expected: '3' },
      ],
      [
        ['SET', '{p}seen:e1', '1', 'EX', '60'],
        ['HINCRBY', '{p}counts', 'n', '2'],
        [PLANNER_SCRIPT, EXPERIMENT_SCRIPT, 'exposure', '{p}x:counts', '{p}x:units', 'unit-1', 'A'],
        ['SET', '{p}offset', '42'],
      ],
    );
    expect(call.args).toEqual([
      '3', '{p}offset', '', '1', '41', '{p}seen:e1', '', '0', '', '{p}session:s1', 'version', '1', '3',
      // The key types first, in the order first needed (the script declares its units hash, then its counts hash), then the fields.
      '5', 'T', '{p}counts', 'hash', '', '', 'T', '{p}x:units', 'hash', '', '', 'T', '{p}x:counts', 'hash', '', '', 'I', '{p}counts', 'n', '2', '0', 'A', '{p}x:counts', '2', '', '',
      '5', 'SET', '{p}seen:e1', '1', 'EX', '60', '4', 'HINCRBY', '{p}counts', 'n', '2', '6', '#1', 'exposure', '{p}x:counts', '{p}x:units', 'unit-1', 'A', '3', 'SET', '{p}offset', '42',
    ]);
    expect(call.script.text).toContain(`function(ARGV)\n${EXPERIMENT_SCRIPT}\nend`);
    // Declared once each: the guards', the commands' and the planner script's keys.
    expect(call.keys.sort()).toEqual(['{p}counts', '{p}offset', '{p}seen:e1', '{p}session:s1', '{p}x:counts', '{p}x:units']);
  });

  it('declares every key a guard, a check or a command touches, each once, and no other', () => {
    const { guards, commands } = partitionBatch();
    const call = guardedBatchCall(guards, commands);
    const declared = new Set(call.keys);
    expect(declared.size).toBe(call.keys.length);
    const touched = new Set([...guards.map((g) => g.key), ...call.checks.map((c) => c.key), ...commands.flatMap((c) => commandKeys(c, PLANNER_SCRIPTS))]);
    expect([...touched].filter((key) => !declared.has(key))).toEqual([]);
    expect(call.keys.filter((key) => !touched.has(key))).toEqual([]);
    // The batch is not trivial: both planner scripts, the experiment's counts and the baseline are in it.
    expect(commands.filter((c) => c[0] === PLANNER_SCRIPT)).toHaveLength(2);
    expect(declared.has(keys.experimentCounts('recs-strategy'))).toBe(true);
    expect(declared.has(keys.profileBaseline('u:user-1'))).toBe(true);
    // One slot: every declared key is the partition's.
    expect(new Set(call.keys.map(hashTagOf))).toEqual(new Set([hashTagOf(keys.offset)]));
  });

  it("declares a planner script's keys from its declaration, wherever they stand among its arguments", () => {
    const args = [keys.profile('u:user-1'), keys.profileSessions('u:user-1'), String(NOW), '1', 's-1', String(NOW), keys.profile('a:anon-a'), keys.profileSessions('a:anon-a'), String(NOW), '0'];
    const call = guardedBatchCall([], [[PLANNER_SCRIPT, PROFILE_SCRIPT, ...args]]);
    expect(call.keys.sort()).toEqual(profileScriptTouches(args).map((t) => t.key).sort());
    expect(call.keys).toHaveLength(4);
    // Its arguments that are not keys are not declared: times, counts, session ids.
    expect(call.keys).not.toContain('s-1');
    expect(() => guardedBatchCall([], [[PLANNER_SCRIPT, 'return 0', keys.offset]])).toThrow(/declares nothing/);
  });

  it("refuses a batch that touches two partitions' keys, whether by a command, a guard or a planner script", () => {
    const { guards, commands } = partitionBatch();
    const refused = (g: Guard[], c: RedisCommand[]) => () => guardedBatchCall(g, c);
    expect(refused(guards, [...commands, ['SET', elsewhere.offset, '1']])).toThrow(BatchPlanError);
    expect(refused(guards, [...commands, ['SET', elsewhere.offset, '1']])).toThrow(/two partitions/);
    expect(refused([...guards, { key: elsewhere.seenEvent('e1'), expected: null }], commands)).toThrow(BatchPlanError);
    expect(refused(guards, [...commands, ['DEL', keys.seenEvent('e1'), elsewhere.seenEvent('e1')]])).toThrow(BatchPlanError);
    const script = [PLANNER_SCRIPT, PROFILE_SCRIPT, keys.profile('u:user-1'), elsewhere.profileSessions('u:user-1'), String(NOW), '0'];
    expect(refused([], [script])).toThrow(BatchPlanError);
    // A key with no tag hashes by its whole name: beside a tagged key it is another slot.
    expect(refused([], [['SET', keys.offset, '1'], ['SET', 't:offset', '1']])).toThrow(BatchPlanError);
    expect(refused([], [['SET', 'a', '1'], ['SET', 'b', '1']])).toThrow(BatchPlanError);
    // The same batch of one partition is not refused.
    expect(refused(guards, commands)).not.toThrow();
  });

  it('refuses a command too long to pass on, one the checks do not know, and a raw script', () => {
    expect(() => guardedBatchCall([], [['SADD', keys.popularity, ...Array.from({ length: 8_000 }, (_, i) => String(i))]])).toThrow(/arguments/);
    expect(() => guardedBatchCall([], [['SET', keys.offset, '1'], ['FLUSHALL']])).toThrow(/FLUSHALL is not a command the batch checks know/);
    expect(() => guardedBatchCall([], [['EVAL', 'return 0', '1', keys.offset]])).toThrow(BatchPlanError);
    expect(() => guardedBatchCall([], [['EVALSHA', 'f'.repeat(40), '1', keys.offset]])).toThrow(BatchPlanError);
  });
});

describe('runGuardedBatch', () => {
  it('hands the store the script with the declared keys and the one packed argument', async () => {
    const { guards, commands } = partitionBatch();
    const store = fakeStore();
    const calls: { keys: readonly string[]; args: readonly string[] }[] = [];
    const client = { ...store.client, runScript: async (_script: unknown, k: readonly string[], args: readonly string[]) => (calls.push({ keys: k, args }), [1]) };
    expect(await runGuardedBatch(client as typeof store.client, guards, commands)).toEqual({ applied: true });
    const call = guardedBatchCall(guards, commands);
    expect(calls).toEqual([{ keys: call.keys, args: [packArguments(call.args)] }]);
  });

  it('answers not applied when a guard no longer held, and names the check that would have failed', async () => {
    const { guards, commands } = partitionBatch();
    const moved = fakeStore({}, {}, () => true);
    expect(await runGuardedBatch(moved.client, guards, commands)).toEqual({ applied: false });
    const store = fakeStore();
    const client = { ...store.client, runScript: async () => [2, 1, 'a reason'] };
    await expect(runGuardedBatch(client as typeof store.client, guards, commands)).rejects.toThrow(BatchWouldFailError);
  });

  it('sends nothing for a batch that touches nothing', async () => {
    const store = fakeStore();
    expect(await runGuardedBatch(store.client, [], [])).toEqual({ applied: true });
    expect(store.batches).toEqual([]);
  });
});

/**
 * The batch script on a real redis-server (no Kafka): the guards are what
 * WATCH was — a batch whose read changed writes nothing — the planners' own
 * scripts and plain commands run in it as they did in a MULTI, and a command
 * that would fail fails the whole batch before anything is written. Every
 * key is declared, and all share one hash tag (`{b}`), as a partition's do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWouldFailError, runGuardedBatch } from '../../src/store/guarded-batch.js';
import { EXPERIMENT_SCRIPT } from '../../src/pipeline/experiments/script.js';
import { PLANNER_SCRIPT } from '../../src/pipeline/commands.js';
import { guardedBatchCall } from '../../src/store/guarded-batch.js';
import type { StoreClient } from '../../src/store/client.js';
import { RUNNER } from '../../src/store/batch-script.js';
import { startRedisInfra, type RedisInfra, type TestRedis } from './support.js';

let infra: RedisInfra;
let redis: TestRedis;
let store: StoreClient;

beforeAll(async () => {
  infra = await startRedisInfra();
  redis = infra.store;
  store = infra.client;
});

afterAll(async () => {
  await infra?.stop();
});

describe('runGuardedBatch', () => {
  it('applies every command and the offset when the guards hold, and nothing when one changed', async () => {
    await redis.set('{b}g:offset', '10');
    await redis.hSet('{b}g:session', { version: '2' });
    const guards = [
      { key: '{b}g:offset', expected: '10' },
      { key: '{b}g:seen:e1', expected: null },
      { key: '{b}g:session', field: 'version', expected: '2' },
    ];
    const commands = [
      ['SET', '{b}g:seen:e1', '1', 'EX', '60'],
      ['ZINCRBY', '{b}g:popularity', '3', 'sku-1'],
      ['SET', '{b}g:offset', '11'],
    ];

    // Another writer counted e1 first: nothing of the batch is written.
    await redis.set('{b}g:seen:e1', '1');
    expect(await runGuardedBatch(store, guards, commands)).toEqual({ applied: false });
    expect(await redis.get('{b}g:offset')).toBe('10');
    expect(await redis.zScore('{b}g:popularity', 'sku-1')).toBeNull();

    await redis.del('{b}g:seen:e1');
    await redis.hSet('{b}g:session', { version: '3' });
    expect(await runGuardedBatch(store, guards, commands)).toEqual({ applied: false });
    expect(await redis.get('{b}g:offset')).toBe('10');

    await redis.hSet('{b}g:session', { version: '2' });
    expect(await runGuardedBatch(store, guards, commands)).toEqual({ applied: true });
    expect(await redis.get('{b}g:offset')).toBe('11');
    expect(await redis.zScore('{b}g:popularity', 'sku-1')).toBe(3);
    expect(await redis.ttl('{b}g:seen:e1')).toBeGreaterThan(0);

    // The same batch again (a zombie, a replay): its offset guard no longer holds.
    expect(await runGuardedBatch(store, guards, commands)).toEqual({ applied: false });
    expect(await redis.zScore('{b}g:popularity', 'sku-1')).toBe(3);
  });

  it("runs a planner's script inside the batch with the arguments it was planned with", async () => {
    const commands = [
      [PLANNER_SCRIPT, EXPERIMENT_SCRIPT, 'exposure', '{b}x:counts', '{b}x:units', 'unit-1', 'A', 'conversion', '{b}x:counts', '{b}x:units', 'unit-1', ''],
      ['SET', '{b}x:offset', '1'],
    ];
    expect(await runGuardedBatch(store, [{ key: '{b}x:offset', expected: null }], commands)).toEqual({ applied: true });
    expect(await redis.hGetAll('{b}x:counts')).toEqual({ 'exposures:A': '1', 'units:A': '1', 'conversions:A': '1' });
  });

  it('fails the whole batch when one command would fail: nothing written, not even the offset; once fixed it applies once', async () => {
    await redis.set('{b}e:not-a-list', 'x');
    const commands = [
      ['SET', '{b}e:before', '1'],
      ['ZINCRBY', '{b}e:popularity', '1', 'sku-1'],
      ['LPUSH', '{b}e:not-a-list', 'a'],
      ['SET', '{b}e:after', '1'],
      ['SET', '{b}e:offset', '5'],
    ];
    // Sent as it is, Redis would refuse the LPUSH: the check says so first.
    await expect(redis.sendCommand(['LPUSH', '{b}e:not-a-list', 'a'])).rejects.toThrow(/WRONGTYPE/);
    const refused = runGuardedBatch(store, [{ key: '{b}e:offset', expected: null }], commands);
    await expect(refused).rejects.toThrow(BatchWouldFailError);
    await expect(runGuardedBatch(store, [{ key: '{b}e:offset', expected: null }], commands)).rejects.toThrow(/e:not-a-list is a string, not a list \(needed by LPUSH \(command 3\)\)/);
    expect(await redis.mGet(['{b}e:before', '{b}e:after', '{b}e:offset'])).toEqual([null, null, null]);
    expect(await redis.zScore('{b}e:popularity', 'sku-1')).toBeNull();

    await redis.del('{b}e:not-a-list');
    expect(await runGuardedBatch(store, [{ key: '{b}e:offset', expected: null }], commands)).toEqual({ applied: true });
    expect(await runGuardedBatch(store, [{ key: '{b}e:offset', expected: null }], commands)).toEqual({ applied: false });
    expect(await redis.mGet(['{b}e:before', '{b}e:after', '{b}e:offset'])).toEqual(['1', '1', '5']);
    expect(await redis.zScore('{b}e:popularity', 'sku-1')).toBe(1);
    expect(await redis.lRange('{b}e:not-a-list', 0, -1)).toEqual(['a']);
  });

  /** A batch of one command and an offset: refused with nothing written, and Redis itself would have failed the command. */
  async function expectRefused(command: string[], reason: RegExp): Promise<void> {
    const offset = `{b}r:offset:${command.join(':')}`;
    await expect(runGuardedBatch(store, [{ key: offset, expected: null }], [command, ['SET', offset, '1']])).rejects.toThrow(reason);
    expect(await redis.get(offset)).toBeNull();
    await expect(redis.sendCommand(command)).rejects.toThrow();
  }

  it('checks the values increments add to: integers within range (hash fields and counters), finite floats', async () => {
    await redis.hSet('{b}r:h', { text: 'many', near: String(2 ** 53 - 2), float: 'abc', inf: 'inf', spaced: ' 1' });
    await expectRefused(['HINCRBY', '{b}r:h', 'text', '1'], /r:h field text is not an integer/);
    await expectRefused(['HINCRBYFLOAT', '{b}r:h', 'float', '1.5'], /r:h field float is not a finite number/);
    await expectRefused(['HINCRBYFLOAT', '{b}r:h', 'inf', '1.5'], /r:h field inf is not a finite number/);
    await expectRefused(['HINCRBY', '{b}r:h', 'spaced', '1'], /r:h field spaced is not an integer/);
    // 2^53 − 2 + 5 is still an int64 for Redis, but no longer exact in Lua: refused rather than risked.
    const offset = '{b}r:offset:near';
    await expect(runGuardedBatch(store, [{ key: offset, expected: null }], [['HINCRBY', '{b}r:h', 'near', '5'], ['SET', offset, '1']])).rejects.toThrow(/would leave the range of exact integers/);
    expect(await redis.hGet('{b}r:h', 'near')).toBe(String(2 ** 53 - 2));
    await redis.set('{b}r:count', 'seven');
    await expectRefused(['INCRBY', '{b}r:count', '2'], /r:count is not an integer/);
    // The same fields, fine for other increments: an integer within range, a float field Redis can add to.
    await redis.hSet('{b}r:ok', { n: '-7', f: '2.5' });
    await redis.set('{b}r:counter', '10');
    expect(await runGuardedBatch(store, [], [['HINCRBY', '{b}r:ok', 'n', '3'], ['HINCRBYFLOAT', '{b}r:ok', 'f', '0.5'], ['HINCRBY', '{b}r:ok', 'new', '1'], ['INCRBY', '{b}r:counter', '5'], ['DECR', '{b}r:counter']])).toEqual({ applied: true });
    expect(await redis.hGetAll('{b}r:ok')).toEqual({ n: '-4', f: '3', new: '1' });
    expect(await redis.get('{b}r:counter')).toBe('14');
  });

  it('checks PFADD keys as HyperLogLogs: the header, the dense size, and that a sparse one covers its registers', async () => {
    await redis.sendCommand(['PFADD', '{b}r:hll', 'a', 'b']);
    expect(await runGuardedBatch(store, [], [['PFADD', '{b}r:hll', 'c'], ['PFADD', '{b}r:new-hll', 'a']])).toEqual({ applied: true });
    expect(await redis.sendCommand(['PFCOUNT', '{b}r:hll'])).toBe(3);

    await redis.set('{b}r:text', 'not a HyperLogLog at all');
    await expectRefused(['PFADD', '{b}r:text', 'x'], /r:text is a string that is no HyperLogLog/);
    // A valid header on a sparse body that covers only half the registers (one run of 8,192 empty ones instead of
    // 16,384): Redis finds it corrupt when an element lands in the missing half.
    await redis.sendCommand(['PFADD', '{b}r:corrupt']);
    await redis.eval('redis.call("SETRANGE", KEYS[1], 16, string.char(0x5F, 0xFF))', { keys: ['{b}r:corrupt'] });
    await expectRefused(['PFADD', '{b}r:corrupt', ...'abcdefghijklmnop'], /r:corrupt is a string that is no HyperLogLog/);
    // A sparse body covering one register too many: Redis may never notice while it adds, the check refuses it anyway.
    await redis.sendCommand(['PFADD', '{b}r:long', 'a']);
    await redis.eval('redis.call("APPEND", KEYS[1], string.char(0))', { keys: ['{b}r:long'] });
    await expect(runGuardedBatch(store, [], [['PFADD', '{b}r:long', 'x']])).rejects.toThrow(/r:long is a string that is no HyperLogLog/);
  });

  it("checks the experiment script's counts: every field an integer", async () => {
    await redis.hSet('{b}r:counts', { 'exposures:A': '1', 'units:A': 'one' });
    const offset = '{b}r:offset:experiment';
    const commands = [[PLANNER_SCRIPT, EXPERIMENT_SCRIPT, 'exposure', '{b}r:counts', '{b}r:units', 'unit-1', 'A'], ['SET', offset, '1']];
    await expect(runGuardedBatch(store, [{ key: offset, expected: null }], commands)).rejects.toThrow(/r:counts holds a field that is not an integer/);
    expect(await redis.hGetAll('{b}r:counts')).toEqual({ 'exposures:A': '1', 'units:A': 'one' });
    expect(await redis.exists('{b}r:units')).toBe(0);
    await redis.hSet('{b}r:counts', 'units:A', '1');
    expect(await runGuardedBatch(store, [{ key: offset, expected: null }], commands)).toEqual({ applied: true });
    expect(await redis.hGetAll('{b}r:counts')).toEqual({ 'exposures:A': '2', 'units:A': '2' });
  });

  it('writes nothing when Redis is out of memory: OOM refuses the first write, and the batch applies once memory is back', async () => {
    const commands = [
      ['SET', '{b}m:seen', '1', 'EX', '60'],
      ['ZINCRBY', '{b}m:popularity', '1', 'sku-1'],
      ['SET', '{b}m:offset', '1'],
    ];
    await redis.configSet('maxmemory', '1');
    try {
      await expect(runGuardedBatch(store, [{ key: '{b}m:offset', expected: null }], commands)).rejects.toThrow(/OOM/);
    } finally {
      await redis.configSet('maxmemory', '0');
    }
    expect(await redis.mGet(['{b}m:seen', '{b}m:offset'])).toEqual([null, null]);
    expect(await runGuardedBatch(store, [{ key: '{b}m:offset', expected: null }], commands)).toEqual({ applied: true });
    expect(await redis.zScore('{b}m:popularity', 'sku-1')).toBe(1);
  });

  it('carries any text through its one JSON argument: quotes, backslashes, non-ASCII, emoji, and a cut emoji as U+FFFD', async () => {
    const texts = ['a "quoted" \\ value', 'ünï €', 'thumbs 👍', `cut ${'👍'.slice(0, 1)}`, '\\ud800 written out'];
    const commands = [...texts.map((text, i) => ['SET', `{b}t:${i}`, text]), ['SET', '{b}t:offset', '1']];
    await redis.set('{b}t:guard', 'été 👍');
    expect(await runGuardedBatch(store, [{ key: '{b}t:offset', expected: null }, { key: '{b}t:guard', expected: 'été 👍' }], commands)).toEqual({ applied: true });
    expect(await redis.mGet(texts.map((_, i) => `{b}t:${i}`))).toEqual(['a "quoted" \\ value', 'ünï €', 'thumbs 👍', 'cut \ufffd', '\\ud800 written out']);
  });

  it('refuses, before anything is written, a command whose key the call did not declare', async () => {
    const call = guardedBatchCall([{ key: '{b}u:offset', expected: null }], [['SET', '{b}u:declared', '1'], ['SET', '{b}u:offset', '1']]);
    // The same arguments with one key left out of KEYS: what a caller that forgot to declare would send.
    const keys = call.keys.filter((key) => key !== '{b}u:declared');
    await expect(store.runScript(call.script, keys, [JSON.stringify(call.args)])).rejects.toThrow(/undeclared key in SET: \{b\}u:declared/);
    expect(await redis.mGet(['{b}u:declared', '{b}u:offset'])).toEqual([null, null]);
    // Declared, it runs.
    expect(await store.runScript(call.script, call.keys, [JSON.stringify(call.args)])).toEqual([1]);
    expect(await redis.mGet(['{b}u:declared', '{b}u:offset'])).toEqual(['1', '1']);
    expect(call.script.text).toContain(RUNNER.trim().split('\n')[0]);
  });

  it('refuses a batch whose keys belong to two partitions, before sending it', async () => {
    await expect(runGuardedBatch(store, [{ key: '{b}v:offset', expected: null }], [['SET', '{other}v:x', '1'], ['SET', '{b}v:offset', '1']])).rejects.toThrow(/two partitions/);
    expect(await redis.mGet(['{other}v:x', '{b}v:offset'])).toEqual([null, null]);
  });
});

/**
 * The batch script on a real redis-server (no Kafka): the guards are what
 * WATCH was — a batch whose read changed writes nothing — and the planners'
 * own scripts and plain commands run in it as they did in a MULTI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGuardedBatch } from '../../src/store/guarded-batch.js';
import { EXPERIMENT_SCRIPT } from '../../src/pipeline/experiments/script.js';
import { startRedisInfra, type RedisInfra, type TestRedis } from './support.js';

let infra: RedisInfra;
let redis: TestRedis;

beforeAll(async () => {
  infra = await startRedisInfra();
  redis = infra.store;
});

afterAll(async () => {
  await infra?.stop();
});

describe('runGuardedBatch', () => {
  it('applies every command and the offset when the guards hold, and nothing when one changed', async () => {
    await redis.set('g:offset', '10');
    await redis.hSet('g:session', { version: '2' });
    const guards = [
      { key: 'g:offset', expected: '10' },
      { key: 'g:seen:e1', expected: null },
      { key: 'g:session', field: 'version', expected: '2' },
    ];
    const commands = [
      ['SET', 'g:seen:e1', '1', 'EX', '60'],
      ['ZINCRBY', 'g:popularity', '3', 'sku-1'],
      ['SET', 'g:offset', '11'],
    ];

    // Another writer counted e1 first: nothing of the batch is written.
    await redis.set('g:seen:e1', '1');
    expect(await runGuardedBatch(redis, guards, commands)).toEqual({ applied: false });
    expect(await redis.get('g:offset')).toBe('10');
    expect(await redis.zScore('g:popularity', 'sku-1')).toBeNull();

    await redis.del('g:seen:e1');
    await redis.hSet('g:session', { version: '3' });
    expect(await runGuardedBatch(redis, guards, commands)).toEqual({ applied: false });
    expect(await redis.get('g:offset')).toBe('10');

    await redis.hSet('g:session', { version: '2' });
    expect(await runGuardedBatch(redis, guards, commands)).toEqual({ applied: true });
    expect(await redis.get('g:offset')).toBe('11');
    expect(await redis.zScore('g:popularity', 'sku-1')).toBe(3);
    expect(await redis.ttl('g:seen:e1')).toBeGreaterThan(0);

    // The same batch again (a zombie, a replay): its offset guard no longer holds.
    expect(await runGuardedBatch(redis, guards, commands)).toEqual({ applied: false });
    expect(await redis.zScore('g:popularity', 'sku-1')).toBe(3);
  });

  it("runs a planner's script inside the batch with the arguments it was planned with", async () => {
    const commands = [
      ['EVAL', EXPERIMENT_SCRIPT, '0', 'exposure', 'x:counts', 'x:units', 'unit-1', 'A', 'conversion', 'x:counts', 'x:units', 'unit-1', ''],
      ['SET', 'x:offset', '1'],
    ];
    expect(await runGuardedBatch(redis, [{ key: 'x:offset', expected: null }], commands)).toEqual({ applied: true });
    expect(await redis.hGetAll('x:counts')).toEqual({ 'exposures:A': '1', 'units:A': '1', 'conversions:A': '1' });
  });

  it('goes on after a failing command, as a MULTI did, and then says that the batch failed', async () => {
    await redis.set('e:not-a-list', 'x');
    const commands = [
      ['LPUSH', 'e:not-a-list', 'a'],
      ['SET', 'e:after', '1'],
      ['SET', 'e:offset', '5'],
    ];
    await expect(runGuardedBatch(redis, [{ key: 'e:offset', expected: null }], commands)).rejects.toThrow(/WRONGTYPE/);
    expect(await redis.get('e:after')).toBe('1');
    expect(await redis.get('e:offset')).toBe('5');
  });

  it('carries any text through its one JSON argument: quotes, backslashes, non-ASCII, emoji, and a cut emoji as U+FFFD', async () => {
    const texts = ['a "quoted" \\ value', 'ünï €', 'thumbs 👍', `cut ${'👍'.slice(0, 1)}`, '\\ud800 written out'];
    const commands = [...texts.map((text, i) => ['SET', `t:${i}`, text]), ['SET', 't:offset', '1']];
    await redis.set('t:guard', 'été 👍');
    expect(await runGuardedBatch(redis, [{ key: 't:offset', expected: null }, { key: 't:guard', expected: 'été 👍' }], commands)).toEqual({ applied: true });
    expect(await redis.mGet(texts.map((_, i) => `t:${i}`))).toEqual(['a "quoted" \\ value', 'ünï €', 'thumbs 👍', 'cut \ufffd', '\\ud800 written out']);
  });
});

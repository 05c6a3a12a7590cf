import { describe, expect, it } from 'vitest';
import { chunksOf } from '../src/pipeline/send.js';

const record = (key: string, bytes: number) => ({ topic: 't', key, value: 'x'.repeat(bytes) });

describe('chunksOf', () => {
  it('cuts records into consecutive runs under the byte limit, keeping their order', () => {
    const records = [record('a', 40), record('b', 40), record('c', 40), record('d', 10)];
    // 41 bytes each for a–c (key + value): two fit under 100, the third starts a new run, d joins it.
    expect(chunksOf(records, 100).map((chunk) => chunk.map((r) => r.key))).toEqual([['a', 'b'], ['c', 'd']]);
  });

  it('sends a record bigger than the limit alone, and nothing for no records', () => {
    expect(chunksOf([record('a', 5), record('big', 500), record('b', 5)], 100).map((c) => c.map((r) => r.key))).toEqual([['a'], ['big'], ['b']]);
    expect(chunksOf([], 100)).toEqual([]);
  });

  it('counts a tombstone by its key alone', () => {
    const tombstones = Array.from({ length: 10 }, (_, i) => ({ topic: 't', key: `k${i}`, value: null }));
    expect(chunksOf(tombstones, 8)).toHaveLength(3);
  });
});

/**
 * The bounded sampling of candidate neighbours (src/recs/sample.ts): the m most recent sessions of
 * the prefix items' lists together, found without reading the lists beyond what the sample needs.
 */
import { describe, expect, it } from 'vitest';
import { recentSample } from '../src/recs/index.js';

/** Sessions `${prefix}${i}` at time `start − i`: a list most recent first, as the state keeps it. */
const list = (prefix: string, length: number, start: number, times: Map<string, { time: number }>): string[] =>
  Array.from({ length }, (_, i) => {
    const id = `${prefix}${i}`;
    times.set(id, { time: start - i });
    return id;
  });

describe('recentSample', () => {
  it('takes the most recent sessions of all lists together, and leaves the older out', () => {
    const times = new Map<string, { time: number }>();
    const a = list('a', 5, 100, times); // 100 … 96
    const b = list('b', 5, 98, times); // 98 … 94
    const sample = recentSample([a, b], (id) => times.get(id), 4);
    expect(sample.map((s) => s.id)).toEqual(['a0', 'a1', 'a2', 'b0']);
    expect(sample.map((s) => s.record.time)).toEqual([100, 99, 98, 98]);
  });

  it('counts a session met in two lists once, and never takes itself or an unknown session', () => {
    const times = new Map<string, { time: number }>([
      ['s1', { time: 1 }],
      ['s2', { time: 2 }],
      ['s3', { time: 3 }],
      ['open', { time: 9 }],
    ]);
    const sample = recentSample([['open', 's3', 'gone', 's1'], ['s3', 's2', 's1']], (id) => times.get(id), 10, 'open');
    expect(sample.map((s) => s.id)).toEqual(['s3', 's2', 's1']);
  });

  it('reads no further into the lists than the sample needs, however long they are', () => {
    const times = new Map<string, { time: number }>();
    const lists = Array.from({ length: 8 }, (_, k) => list(`i${k}-`, 10_000, 1_000_000 - k, times));
    let lookups = 0;
    const sample = recentSample(lists, (id) => (lookups++, times.get(id)), 50);
    expect(sample).toHaveLength(50);
    // Every list's head, then one more per session taken: nowhere near the 80,000 sessions listed.
    expect(lookups).toBeLessThanOrEqual(50 + lists.length);
    // The 50 most recent of the 80,000, by time then id.
    const all = [...times].sort((x, y) => y[1].time - x[1].time || (x[0] < y[0] ? -1 : 1)).slice(0, 50).map(([id]) => id);
    expect(sample.map((s) => s.id)).toEqual(all);
  });

  it('ties in time go to the smaller id', () => {
    const times = new Map([['b', { time: 5 }], ['a', { time: 5 }], ['c', { time: 4 }]]);
    expect(recentSample([['b', 'c'], ['a']], (id) => times.get(id), 3).map((s) => s.id)).toEqual(['a', 'b', 'c']);
  });

  it('takes nothing for a sample size of 0 or no lists', () => {
    const times = new Map([['a', { time: 1 }]]);
    expect(recentSample([['a']], (id) => times.get(id), 0)).toEqual([]);
    expect(recentSample([], (id) => times.get(id), 5)).toEqual([]);
  });
});

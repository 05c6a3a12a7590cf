/** Prefix evaluation and the HR/MRR arithmetic. */
import { describe, expect, it } from 'vitest';
import { accuracyOf, evaluate, prefixesOf, rankOf } from '../../src/recs/evaluate.js';
import { popularityPredictor } from '../../src/recs/model.js';
import type { LoggedSession } from '../../src/recs/protocol.js';
import { wilson } from '../../src/recs/interval.js';

function session(id: string, items: string[], start: number): LoggedSession {
  const times = items.map((_, i) => start + i);
  return { id, items, times, time: times.at(-1)!, day: 0 };
}

describe('prefixes', () => {
  it('predicts every next item from every prefix, sessions in time order', () => {
    const pairs = [...prefixesOf([session('late', ['x', 'y'], 100), session('early', ['a', 'b', 'c'], 10)])];
    expect(pairs.map(({ prefix, next }) => [prefix.session, prefix.items, prefix.time, next])).toEqual([
      ['early', ['a'], 10, 'b'],
      ['early', ['a', 'b'], 11, 'c'],
      ['late', ['x'], 100, 'y'],
    ]);
  });
});

describe('HR and MRR', () => {
  it.each([
    { ranked: ['a', 'b', 'c'], target: 'a', cutoff: 20, rank: 1 },
    { ranked: ['a', 'b', 'c'], target: 'c', cutoff: 20, rank: 3 },
    { ranked: ['a', 'b', 'c'], target: 'c', cutoff: 2, rank: 0 },
    { ranked: ['a', 'b', 'c'], target: 'z', cutoff: 20, rank: 0 },
  ])('rank of $target in $ranked within $cutoff is $rank', ({ ranked, target, cutoff, rank }) => {
    expect(rankOf(ranked, target, cutoff)).toBe(rank);
  });

  it('averages hits and reciprocal ranks over every prediction', () => {
    // Hits at 1, 4 and 2, one miss: HR 3/4, MRR (1 + 0 + 1/4 + 1/2) / 4.
    expect(accuracyOf([1, 0, 4, 2])).toEqual({ predictions: 4, hits: 3, hitRate: 0.75, mrr: 0.4375 });
    expect(accuracyOf([])).toEqual({ predictions: 0, hits: 0, hitRate: 0, mrr: 0 });
  });

  it('evaluates a predictor over the prefixes', () => {
    // Always ['b', 'c']: b after a hits at 1, c after a,b at 2, y after x misses.
    const result = evaluate([session('s', ['a', 'b', 'c'], 0), session('t', ['x', 'y'], 5)], () => ['b', 'c'], 20);
    expect(result).toMatchObject({ predictions: 3, hits: 2, hitRate: 2 / 3, mrr: (1 + 0.5) / 3 });
    expect(result.scoreUsP50).toBeGreaterThanOrEqual(0);
  });

  it('takes the popularity baseline from training alone', () => {
    const predict = popularityPredictor([session('s', ['a', 'b', 'b'], 0), session('t', ['c', 'b', 'c'], 1)], 2);
    expect(predict({ session: 'u', items: ['a'], time: 0 })).toEqual(['b', 'c']);
  });

  it('gives a Wilson interval around the hit rate', () => {
    // 8 of 10 at z = 1.96: centre 0.7167, half-width 0.2266 (computed from the formula by hand).
    expect(wilson(8, 10)).toEqual([0.49, 0.943]);
    expect(wilson(0, 0)).toEqual([0, 1]);
  });
});

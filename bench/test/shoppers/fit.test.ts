import { describe, expect, it } from 'vitest';
import type { LoggedSession } from '../../src/shoppers/diginetica.js';
import { probabilityOf } from '../../src/shoppers/distributions.js';
import { fitShopperModel } from '../../src/shoppers/fit.js';

const session = (user: string | undefined, ...views: Array<[item: string, atMs: number, userId?: string]>): LoggedSession => ({
  views: views.map(([item, atMs, userId]) => ({ item, atMs, userId: userId ?? user })),
});

describe('fitShopperModel', () => {
  const sessions: LoggedSession[] = [
    session(undefined, ['a', 1000], ['b', 3000], ['a', 7000]),
    session('u1', ['a', 2000]),
    session('u2', ['c', 500], ['a', 1500]),
    session('u1', ['b', 4000], ['c', 4500]),
    session(undefined, ['d', 800, undefined], ['a', 900, 'u3']),
  ];
  const model = fitShopperModel(sessions);

  it('estimates views per session from the counts', () => {
    expect(probabilityOf(model.viewsPerSession, 1)).toBeCloseTo(1 / 5, 10);
    expect(probabilityOf(model.viewsPerSession, 2)).toBeCloseTo(3 / 5, 10);
    expect(probabilityOf(model.viewsPerSession, 3)).toBeCloseTo(1 / 5, 10);
  });

  it('ranks products by their views, without their ids', () => {
    // a: 5 views, b: 2, c: 2, d: 1.
    expect(model.productRank.values).toEqual([1, 2, 3, 4]);
    expect(probabilityOf(model.productRank, 1)).toBeCloseTo(5 / 10, 10);
    expect(probabilityOf(model.productRank, 4)).toBeCloseTo(1 / 10, 10);
    expect(model.source.products).toBe(4);
  });

  it('counts going back to a product among the views after the first', () => {
    // Later views: b, a (again), a, c, a: one repeat in five.
    expect(model.repeatShare).toBeCloseTo(1 / 5, 10);
  });

  it('counts sessions signed in, those signed in on the way, and sessions per user', () => {
    expect(model.signInShare).toBeCloseTo(4 / 5, 10);
    expect(model.midSessionSignInShare).toBeCloseTo(1 / 4, 10);
    // u1 twice, u2 and u3 once.
    expect(probabilityOf(model.sessionsPerUser, 1)).toBeCloseTo(2 / 3, 10);
    expect(probabilityOf(model.sessionsPerUser, 2)).toBeCloseTo(1 / 3, 10);
  });

  it('fits the landing time and the gaps on their own samples', () => {
    expect(model.firstViewMs.n).toBe(5);
    expect(model.firstViewMs.max).toBe(4000);
    // Gaps: 2000, 4000, 1000, 500, 100.
    expect(model.gapMs.n).toBe(5);
    expect(model.gapMs.mu).toBeCloseTo((Math.log(2000) + Math.log(4000) + Math.log(1000) + Math.log(500) + Math.log(100)) / 5, 10);
  });

  it('leaves out durations that are not positive, and says how many', () => {
    const m = fitShopperModel([session(undefined, ['a', 0], ['b', 0], ['c', 10]), session(undefined, ['a', 5], ['b', 8]), session(undefined, ['d', 7])]);
    expect(m.source.nonPositiveDurations).toBe(2);
    expect(m.gapMs.n).toBe(2);
    expect(m.firstViewMs.n).toBe(2);
  });

  it('gives every user one session when the log names none', () => {
    const m = fitShopperModel([session(undefined, ['a', 5], ['b', 9]), session(undefined, ['a', 7], ['c', 9])]);
    expect(m.signInShare).toBe(0);
    expect(m.sessionsPerUser.values).toEqual([1]);
  });
});

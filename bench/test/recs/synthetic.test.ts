/**
 * The synthetic histories of the scaling run (src/recs/synthetic.ts): seeded, and shaped as the
 * shape they are drawn from says (lengths, Zipf popularity, repeats, co-occurrence), and a fit on a
 * drawn history finds its shape again.
 */
import { describe, expect, it } from 'vitest';
import type { LoggedSession } from '../../src/recs/protocol.js';
import { fitShape, shapeStats, syntheticSessions, type HistoryShape } from '../../src/recs/synthetic.js';

const DAY = 86_400_000;

/** Lengths 1 to 6 views, mean (1·40 + 2·25 + 3·15 + 4·10 + 5·6 + 6·4) / 100 = 2.29. */
const SHAPE: HistoryShape = {
  lengths: [0, 40, 25, 15, 10, 6, 4],
  catalogue: 3000,
  zipfExponent: 1,
  repeatShare: 0.2,
  localShare: 0.6,
  startMs: 0,
  spanMs: 100 * DAY,
};

const draw = (shape: HistoryShape, count: number, seed: number) => [...syntheticSessions(shape, count, 0, count, seed)];

/** A log's sessions from drawn ones, for fitting. */
const logged = (sessions: ReturnType<typeof draw>): LoggedSession[] =>
  sessions.map((s) => ({ id: s.id, items: s.items, times: s.times, time: s.times.at(-1)!, day: Math.floor(s.times.at(-1)! / DAY) }));

describe('syntheticSessions', () => {
  it('draws the same history for the same seed and another for another seed', () => {
    expect(draw(SHAPE, 500, 7)).toEqual(draw(SHAPE, 500, 7));
    expect(draw(SHAPE, 500, 8)).not.toEqual(draw(SHAPE, 500, 7));
  });

  it('draws the sessions after a history apart from it, on the same catalogue', () => {
    const history = draw(SHAPE, 2000, 7);
    const after = [...syntheticSessions(SHAPE, 2000, 2000, 200, 7)];
    expect(new Set(after.map((s) => s.id)).size).toBe(200);
    expect(after.some((s) => history.some((h) => h.id === s.id))).toBe(false);
    expect(after[0]!.times[0]).toBeGreaterThan(history.at(-1)!.times[0]!);
    const known = new Set(history.flatMap((s) => s.items));
    const views = after.flatMap((s) => s.items);
    // Popular items dominate both: most views after the history are of items it holds.
    expect(views.filter((item) => known.has(item)).length / views.length).toBeGreaterThan(0.8);
  });

  it('has the lengths, repeats, catalogue and Zipf popularity of its shape', () => {
    const sessions = draw(SHAPE, 20_000, 3);
    const stats = shapeStats(sessions);
    expect(stats.meanLength).toBeGreaterThan(2.29 * 0.97);
    expect(stats.meanLength).toBeLessThan(2.29 * 1.03);
    expect(Math.max(...sessions.map((s) => s.items.length))).toBe(6);
    // Repeats as drawn, plus the few moves that land on a viewed item by chance.
    expect(stats.repeatShare).toBeGreaterThanOrEqual(0.2 - 0.01);
    expect(stats.repeatShare).toBeLessThan(0.26);
    expect(stats.items).toBeLessThanOrEqual(SHAPE.catalogue);
    expect(stats.items).toBeGreaterThan(SHAPE.catalogue * 0.8);
    // The head of the rank–frequency curve falls as r^−1.
    const counts = new Map<string, number>();
    for (const s of sessions) for (const item of s.items) counts.set(item, (counts.get(item) ?? 0) + 1);
    const top = [...counts.values()].sort((a, b) => b - a).slice(0, 100);
    const slope = Math.log(top[99]! / top[0]!) / Math.log(100);
    expect(slope).toBeGreaterThan(-1.25);
    expect(slope).toBeLessThan(-0.75);
  });

  it('recurs pairs of items across sessions more as more views move to related items', () => {
    const local = shapeStats(draw(SHAPE, 5000, 3)).pairRecurrence;
    const none = shapeStats(draw({ ...SHAPE, localShare: 0 }, 5000, 3)).pairRecurrence;
    expect(local).toBeGreaterThan(none + 0.1);
  });
});

describe('fitShape', () => {
  // The fit draws some fifty histories of the log's size: seconds on a busy machine.
  it('finds the repeats, popularity and co-occurrence of a history drawn from a known shape', { timeout: 60_000 }, () => {
    const fitted = fitShape(logged(draw(SHAPE, 5000, 11)), 11);
    expect(fitted.lengths).toHaveLength(SHAPE.lengths.length);
    expect(fitted.lengths.slice(1).every((c) => c > 0)).toBe(true);
    expect(Math.abs(fitted.repeatShare - SHAPE.repeatShare)).toBeLessThan(0.04);
    expect(Math.abs(fitted.localShare - SHAPE.localShare)).toBeLessThan(0.15);
    expect(Math.abs(fitted.zipfExponent - SHAPE.zipfExponent)).toBeLessThan(0.2);
    // Chao1 is a lower bound: close below the truth when most items were seen.
    expect(fitted.catalogue).toBeGreaterThan(SHAPE.catalogue * 0.7);
    expect(fitted.catalogue).toBeLessThan(SHAPE.catalogue * 1.1);
    expect(fitted.spanMs).toBeGreaterThan(90 * DAY);
  });

  it('names the field when there is too little to fit', () => {
    expect(() => fitShape([])).toThrow(/sessions: need at least 2/);
  });
});

import { describe, expect, it } from 'vitest';
import { ReadoutHistory, liftPoint } from '../../src/experiments/readout-history.js';
import { experiment } from '../support/fake-collector.js';

describe('the readout history', () => {
  it('takes the lift and the always-valid interval of every treatment, and the units of all variants', () => {
    const point = liftPoint(experiment('banner-copy'), 5000);
    expect(point).toEqual({ at: 5000, units: 804, variants: { bold: { absolute: 0.0287, lower: -0.06, upper: 0.118 } } });
  });

  it('keeps the newest samples up to its limit, oldest dropped first', () => {
    const history = new ReadoutHistory(3);
    for (let i = 1; i <= 5; i++) history.record(experiment('banner-copy'), i * 1000);
    expect(history.points('banner-copy').map((p) => p.at)).toEqual([3000, 4000, 5000]);
    expect(history.points('other')).toEqual([]);
  });

  it('forgets an experiment that is no longer configured', () => {
    const history = new ReadoutHistory(3);
    history.record(experiment('a'), 1);
    history.record(experiment('b'), 1);
    history.keepOnly(['b']);
    expect(history.points('a')).toEqual([]);
    expect(history.points('b')).toHaveLength(1);
  });

  it('refuses a limit that is not a positive whole number', () => {
    expect(() => new ReadoutHistory(0)).toThrow(/limit/);
  });
});

import { describe, expect, it } from 'vitest';
import { seededRandom } from '@sessionflow/core';
import { discreteOf, drawDiscrete, drawLogNormal, fitLogNormal, ksDistance, logNormalCdf, logNormalQuantile, meanOf, normalCdf, probabilityOf } from '../../src/shoppers/distributions.js';

describe('discrete distributions', () => {
  it('draws each value about as often as its count says', () => {
    const d = discreteOf(new Map([[1, 6], [2, 3], [5, 1]]), 'views');
    expect(probabilityOf(d, 2)).toBeCloseTo(0.3, 10);
    expect(meanOf(d)).toBeCloseTo(0.6 + 0.6 + 0.5, 10);
    const random = seededRandom(3);
    const seen = new Map<number, number>();
    for (let i = 0; i < 50_000; i += 1) {
      const v = drawDiscrete(d, random);
      seen.set(v, (seen.get(v) ?? 0) + 1);
    }
    expect(seen.get(1)! / 50_000).toBeCloseTo(0.6, 1);
    expect(seen.get(2)! / 50_000).toBeCloseTo(0.3, 1);
    expect(seen.get(5)! / 50_000).toBeCloseTo(0.1, 1);
    expect([...seen.keys()].sort()).toEqual([1, 2, 5]);
  });

  it('refuses to estimate from nothing, naming what', () => {
    expect(() => discreteOf(new Map([[1, 0]]), 'sessions per user')).toThrow(/sessions per user: no samples/);
  });
});

describe('log-normal fit', () => {
  it('recovers the parameters of samples drawn from a known one', () => {
    const random = seededRandom(11);
    const known = { mu: Math.log(50_000), sigma: 1.2, max: Number.POSITIVE_INFINITY };
    const samples = Array.from({ length: 20_000 }, () => drawLogNormal(known, random));
    const fit = fitLogNormal(samples, 'gaps');
    expect(fit.mu).toBeCloseTo(known.mu, 1);
    expect(fit.sigma).toBeCloseTo(1.2, 1);
    expect(fit.ks).toBeLessThan(0.02);
  });

  it('shows a poor fit in its KS distance', () => {
    const random = seededRandom(5);
    // Two clusters far apart: no log-normal looks like that.
    const samples = Array.from({ length: 2_000 }, (_, i) => (i % 2 === 0 ? 100 : 1_000_000) * (1 + random() / 10));
    expect(fitLogNormal(samples, 'gaps').ks).toBeGreaterThan(0.2);
  });

  it('draws nothing above the largest sample, and its quantiles invert its CDF', () => {
    const d = { mu: Math.log(1000), sigma: 2, max: 5000 };
    const random = seededRandom(9);
    for (let i = 0; i < 5_000; i += 1) expect(drawLogNormal(d, random)).toBeLessThanOrEqual(5000);
    expect(logNormalCdf(d, 5000)).toBe(1);
    expect(logNormalCdf(d, logNormalQuantile(d, 0.3))).toBeCloseTo(0.3, 6);
  });

  it('refuses durations that are not positive, and too few samples', () => {
    expect(() => fitLogNormal([10, 0, 3], 'gaps between views')).toThrow(/gaps between views: .*positive durations, got 0/);
    expect(() => fitLogNormal([10], 'gaps')).toThrow(/1 samples are too few/);
  });
});

describe('normalCdf and ksDistance', () => {
  it('matches tabled values of the standard normal', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
  });

  it('is the largest gap between the step function of the samples and the CDF', () => {
    // Uniform on [0, 4] against samples 1, 2, 3: at 3 the samples have reached 1, the CDF 0.75.
    expect(ksDistance([1, 2, 3], (x) => x / 4)).toBeCloseTo(0.25, 10);
  });
});

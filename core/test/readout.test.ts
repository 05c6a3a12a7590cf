import { describe, expect, it } from 'vitest';
import { readout, type ReadoutInput, type VariantCounters } from '../src/readout/index.js';

const variant = (name: string, exposedUnits: number, conversions: number, weight = 1): VariantCounters => ({
  name,
  weight,
  exposures: exposedUnits * 2,
  exposedUnits,
  conversions,
});

const twoArms = (control: VariantCounters, treatment: VariantCounters, over: Partial<ReadoutInput> = {}): ReadoutInput => ({
  control: control.name,
  variants: [control, treatment],
  ...over,
});

function liftOf(input: ReadoutInput, name: string) {
  const found = readout(input).variants.find((v) => v.name === name);
  if (!found?.lift) throw new Error(`no lift for ${name}`);
  return found.lift;
}

describe('readout: sample-ratio mismatch', () => {
  it('flags a 55/45 split of 10,000 units meant to be 50/50', () => {
    // χ² = 2 · 500² / 5000 = 100 with 1 df: p = erfc(√50) = 1.52e-23.
    const srm = readout(twoArms(variant('control', 5500, 100), variant('b', 4500, 100))).sampleRatio;
    expect(srm?.chiSquare).toBeCloseTo(100, 9);
    expect(srm?.degreesOfFreedom).toBe(1);
    expect(srm?.pValue).toBeLessThan(1e-20);
    expect(srm?.pValue).toBeGreaterThan(1e-26);
    expect(srm?.mismatch).toBe(true);
  });

  it('passes 5,020/4,980', () => {
    // χ² = 2 · 20² / 5000 = 0.16: p = erfc(√0.08) = 0.68916.
    const srm = readout(twoArms(variant('control', 5020, 100), variant('b', 4980, 100))).sampleRatio;
    expect(srm?.chiSquare).toBeCloseTo(0.16, 9);
    expect(srm?.pValue).toBeCloseTo(0.68916, 5);
    expect(srm?.mismatch).toBe(false);
  });

  it('tests against the intended weights, not an even split', () => {
    // Weights 1 : 3 over 10,000 units expect 2500 / 7500; 2600 / 7400 give χ² = 100²/2500 + 100²/7500
    // = 5.3333 with 1 df: p = erfc(√2.6667) = 0.020921.
    const srm = readout(twoArms(variant('control', 2600, 10, 1), variant('b', 7400, 10, 3))).sampleRatio;
    expect(srm?.chiSquare).toBeCloseTo(5.33333, 5);
    expect(srm?.pValue).toBeCloseTo(0.020921, 5);
    // Not below the default threshold of 0.001, below a laxer one.
    expect(srm?.mismatch).toBe(false);
    expect(readout(twoArms(variant('control', 2600, 10, 1), variant('b', 7400, 10, 3), { srmAlpha: 0.05 })).sampleRatio?.mismatch).toBe(
      true,
    );
  });

  it('uses k − 1 degrees of freedom for k variants', () => {
    // Expected 1000 each; χ² = (50² + 50² + 0) / 1000 = 5 with 2 df: p = e^(−5/2) = 0.082085.
    const srm = readout({
      control: 'a',
      variants: [variant('a', 1050, 10), variant('b', 950, 10), variant('c', 1000, 10)],
    }).sampleRatio;
    expect(srm?.degreesOfFreedom).toBe(2);
    expect(srm?.pValue).toBeCloseTo(0.082085, 5);
  });

  it('is null for a single variant or before any unit', () => {
    expect(readout({ control: 'only', variants: [variant('only', 100, 5)] }).sampleRatio).toBeNull();
    expect(readout(twoArms(variant('control', 0, 0), variant('b', 0, 0))).sampleRatio).toBeNull();
  });
});

describe('readout: rates and lifts', () => {
  it('reports rates and lifts of a textbook comparison', () => {
    // 60/1000 vs 50/1000: absolute lift 0.01, relative lift 0.2; Katz interval [−0.16690, 0.72849]
    // (worked in readout.intervals.test.ts).
    const result = readout(twoArms(variant('control', 1000, 50), variant('b', 1000, 60)));
    const [control, b] = result.variants;
    expect(control?.conversionRate).toBeCloseTo(0.05, 12);
    expect(control?.control).toBe(true);
    expect(control?.lift).toBeNull();
    expect(b?.conversionRate).toBeCloseTo(0.06, 12);
    expect(b?.lift?.absolute).toBeCloseTo(0.01, 12);
    expect(b?.lift?.relative).toBeCloseTo(0.2, 12);
    expect(b?.lift?.relativeInterval?.lower).toBeCloseTo(-0.1669, 4);
    expect(b?.lift?.relativeInterval?.upper).toBeCloseTo(0.72849, 4);
    expect(result.confidence).toBe(0.95);
  });

  it('uses the confidence level asked for', () => {
    // Newcombe 1998 Table II example (b), 9/10 − 3/10 at 95 %: [0.1705, 0.8090]; at 99 % it must be wider.
    const at95 = liftOf(twoArms(variant('control', 10, 3), variant('b', 10, 9)), 'b').absoluteInterval;
    const at99 = liftOf(twoArms(variant('control', 10, 3), variant('b', 10, 9), { confidence: 0.99 }), 'b').absoluteInterval;
    expect(at95?.lower).toBeCloseTo(0.1705, 4);
    expect(at95?.upper).toBeCloseTo(0.809, 4);
    expect(at99?.lower).toBeLessThan(at95?.lower ?? 0);
    expect(at99?.upper).toBeGreaterThan(at95?.upper ?? 1);
  });

  it('has a sequential interval wider than the fixed-horizon one', () => {
    const lift = liftOf(twoArms(variant('control', 10_000, 500), variant('b', 10_000, 550)), 'b');
    const fixed = lift.absoluteInterval;
    const sequential = lift.sequentialInterval;
    expect(sequential?.lower).toBeLessThan(fixed?.lower ?? -1);
    expect(sequential?.upper).toBeGreaterThan(fixed?.upper ?? 1);
  });

  it('gives a null relative lift, not NaN or Infinity, when the control converts nobody', () => {
    const lift = liftOf(twoArms(variant('control', 500, 0), variant('b', 500, 7)), 'b');
    expect(lift.absolute).toBeCloseTo(0.014, 12);
    expect(lift.relative).toBeNull();
    expect(lift.relativeInterval).toBeNull();
    expect(lift.absoluteInterval?.lower).toBeLessThan(0.014);
    expect(lift.sequentialInterval).not.toBeNull();
  });

  it('handles zero conversions everywhere', () => {
    // Newcombe 1998 Table II example (f), 0/10 − 0/10: [−0.2775, 0.2775].
    const result = readout(twoArms(variant('control', 10, 0), variant('b', 10, 0)));
    const lift = result.variants[1]?.lift;
    expect(result.variants[1]?.conversionRate).toBe(0);
    expect(lift?.absolute).toBe(0);
    expect(lift?.relative).toBeNull();
    expect(lift?.absoluteInterval?.lower).toBeCloseTo(-0.2775, 4);
    expect(lift?.absoluteInterval?.upper).toBeCloseTo(0.2775, 4);
    expect(lift?.sequentialInterval).toBeNull();
  });

  it('handles a variant with no exposures yet', () => {
    const result = readout(twoArms(variant('control', 100, 5), { name: 'b', weight: 1, exposures: 0, exposedUnits: 0, conversions: 0 }));
    const b = result.variants[1];
    expect(b?.conversionRate).toBeNull();
    expect(b?.conversionRateInterval).toBeNull();
    expect(b?.lift).toEqual({ absolute: null, absoluteInterval: null, relative: null, relativeInterval: null, sequentialInterval: null });
    // All units are in the control although half were meant for b.
    expect(result.sampleRatio?.chiSquare).toBeCloseTo(100, 9);
  });

  it('reads a single variant without lift or SRM', () => {
    const result = readout({ control: 'only', variants: [variant('only', 200, 30)] });
    expect(result.variants[0]?.conversionRate).toBeCloseTo(0.15, 12);
    expect(result.variants[0]?.lift).toBeNull();
    expect(result.sampleRatio).toBeNull();
  });

  it('never returns NaN or Infinity', () => {
    const cases: [number, number][] = [
      [0, 0],
      [1, 0],
      [1, 1],
      [10, 0],
      [10, 10],
      [10, 5],
    ];
    for (const [cu, cc] of cases) {
      for (const [tu, tc] of cases) {
        const text = JSON.stringify(readout(twoArms(variant('control', cu, cc), variant('b', tu, tc))), (_, value: unknown) =>
          typeof value === 'number' && !Number.isFinite(value) ? `bad:${value}` : value,
        );
        expect(text).not.toContain('bad:');
      }
    }
  });
});

describe('readout: impossible counters', () => {
  it.each([
    ['more conversions than units', twoArms(variant('control', 10, 11), variant('b', 10, 1)), /variants\.0\.conversions/],
    ['more units than exposures', twoArms({ name: 'control', weight: 1, exposures: 3, exposedUnits: 4, conversions: 0 }, variant('b', 1, 0)), /variants\.0\.exposedUnits/],
    ['a negative count', twoArms(variant('control', 10, 1), variant('b', 10, -1)), /variants\.1\.conversions/],
    ['a fractional count', twoArms(variant('control', 10, 1), variant('b', 10.5, 1)), /variants\.1\.exposedUnits/],
    ['a zero weight', twoArms(variant('control', 10, 1, 0), variant('b', 10, 1)), /variants\.0\.weight/],
    ['an unknown control', { control: 'nope', variants: [variant('a', 1, 0)] }, /control "nope"/],
    ['a repeated name', twoArms(variant('a', 1, 0), variant('a', 1, 0)), /variants\.1\.name/],
    ['a confidence of 1', twoArms(variant('control', 10, 1), variant('b', 10, 1), { confidence: 1 }), /confidence/],
  ])('refuses %s', (_, input, message) => {
    expect(() => readout(input)).toThrow(message);
  });
});

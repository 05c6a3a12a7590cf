import { describe, expect, it } from 'vitest';
import { chiSquareSurvival } from '../src/readout/chi-square.js';
import { logGamma, regularizedUpperGamma } from '../src/readout/gamma.js';
import { normalQuantile, twoSidedZ } from '../src/readout/normal.js';

/*
 * Reference values come from printed tables and closed forms, never from the code under test.
 * Closed forms used: for df = 1, P(χ² ≥ x) = erfc(√(x/2)); for even df = 2m,
 * P(χ² ≥ x) = e^(−x/2) Σ_{k<m} (x/2)^k / k!. The erfc figures were worked out with a
 * calculator (Python's math.erfc), an implementation independent of this module.
 */

describe('normalQuantile', () => {
  // Standard normal table; 16-digit values as printed by R's qnorm.
  it.each([
    [0.6, 0.2533471031357998],
    [0.9, 1.2815515655446004],
    [0.95, 1.6448536269514722],
    [0.975, 1.959963984540054],
    [0.995, 2.5758293035489004],
    [0.9995, 3.2905267314919255],
  ])('Φ⁻¹(%d) = %d', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 8);
    expect(normalQuantile(1 - p)).toBeCloseTo(-z, 8);
  });

  // Far tails take the other two branches of AS 241; checked by Φ(z) = erfc(−z/√2)/2 = p.
  it.each([
    [1e-12, -7.034483825301132],
    [1e-20, -9.262340089798405],
  ])('Φ⁻¹(%d) = %d in the far tail', (p, z) => {
    expect(normalQuantile(p) / z).toBeCloseTo(1, 12);
  });

  it('is 0 at the median and infinite at the ends', () => {
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
  });

  it('refuses a probability outside [0, 1]', () => {
    expect(() => normalQuantile(1.5)).toThrow(RangeError);
    expect(() => normalQuantile(Number.NaN)).toThrow(RangeError);
  });

  it('gives the two-sided critical values of the usual confidence levels', () => {
    expect(twoSidedZ(0.95)).toBeCloseTo(1.95996, 5);
    expect(twoSidedZ(0.9)).toBeCloseTo(1.64485, 5);
    expect(twoSidedZ(0.99)).toBeCloseTo(2.57583, 5);
  });
});

describe('logGamma', () => {
  it.each([
    [0.5, Math.log(Math.sqrt(Math.PI))], // Γ(1/2) = √π
    [1, 0],
    [2, 0],
    [10, Math.log(362_880)], // Γ(10) = 9!
    [0.25, Math.log(3.625609908221908)], // Γ(1/4), from tables
  ])('ln Γ(%d)', (a, expected) => {
    expect(logGamma(a)).toBeCloseTo(expected, 12);
  });
});

describe('chiSquareSurvival', () => {
  // Critical values from a chi-square table (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.4).
  it.each([
    [3.841, 1, 0.05],
    [6.635, 1, 0.01],
    [10.828, 1, 0.001],
    [5.991, 2, 0.05],
    [7.815, 3, 0.05],
    [9.488, 4, 0.05],
    [18.307, 10, 0.05],
    [67.505, 50, 0.05],
    [2.706, 1, 0.1],
  ])('χ² = %d with %d df has p ≈ %d', (x, df, p) => {
    expect(chiSquareSurvival(x, df)).toBeCloseTo(p, 4);
  });

  it.each([
    // df = 1: erfc(√(x/2)).
    [1, 1, 0.31731050786291404],
    [100, 1, 1.5239706048320995e-23],
    // df = 2: e^(−x/2).
    [10, 2, Math.exp(-5)],
    [0.5, 2, Math.exp(-0.25)],
    // df = 4: e^(−x/2) (1 + x/2).
    [10, 4, Math.exp(-5) * 6],
    [1, 4, Math.exp(-0.5) * 1.5],
  ])('χ² = %d with %d df matches the closed form', (x, df, p) => {
    expect(chiSquareSurvival(x, df) / p).toBeCloseTo(1, 10);
  });

  it('is 1 at 0 and falls towards 0', () => {
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(chiSquareSurvival(1000, 3)).toBeLessThan(1e-200);
    expect(chiSquareSurvival(1000, 3)).toBeGreaterThanOrEqual(0);
  });

  it('refuses impossible arguments', () => {
    expect(() => chiSquareSurvival(-1, 1)).toThrow(RangeError);
    expect(() => chiSquareSurvival(1, 0)).toThrow(RangeError);
    expect(() => regularizedUpperGamma(0, 1)).toThrow(RangeError);
  });
});

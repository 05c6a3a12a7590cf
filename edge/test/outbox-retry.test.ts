import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../src/visitor/outbox.js';

describe('the outbox retry delay', () => {
  it('doubles from 1 s and stops at 10 s, so a visitor who left drains within seconds of the collector\'s return', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 20].map((failures) => retryDelayMs(failures, middle))).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000]);
  });

  it('spreads the retries by ±20 % around that', () => {
    expect(retryDelayMs(1, () => 0)).toBe(800);
    expect(retryDelayMs(1, () => 0.999_999)).toBe(1_200);
    expect(retryDelayMs(9, () => 0)).toBe(8_000);
    expect(retryDelayMs(9, () => 0.999_999)).toBe(12_000);
  });
});

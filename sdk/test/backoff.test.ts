import { describe, expect, it } from 'vitest';
import { backoffMs, parseRetryAfter } from '../src/delivery/backoff.js';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

describe('parseRetryAfter', () => {
  it.each([
    ['delay-seconds', '120', 120_000],
    ['zero seconds', '0', 0],
    ['seconds with spaces', ' 5 ', 5000],
    ['an HTTP date 30 s ahead', 'Wed, 15 Jan 2025 12:00:30 GMT', 30_000],
    ['an HTTP date in the past', 'Wed, 15 Jan 2025 11:59:00 GMT', 0],
  ])('reads %s', (_label, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it.each([[null], [undefined], [''], ['soon'], ['-5'], ['1.5']])('gives undefined for %j', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe('backoffMs', () => {
  it('doubles from the base with each failure, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, 1000, 10_000, () => 0))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('jitters between half and all of the pause', () => {
    expect(backoffMs(3, 1000, 30_000, () => 0.999_999)).toBeCloseTo(2000, 0);
    expect(backoffMs(3, 1000, 30_000, () => 0.5)).toBe(3000);
  });
});

import { describe, expect, it } from 'vitest';
import { degradedShare, edgeTimeFromHeaders, timeAtLevels } from '../../src/flash/levels.js';
import { ABSENT } from '../../src/shoppers/tally.js';

describe('timeAtLevels', () => {
  it('adds a period per reading, and counts a missing gauge as absent', () => {
    expect(timeAtLevels(['full', 'full', 'popularity', undefined, 'full'])).toEqual({ full: 3, popularity: 1, absent: 1 });
    expect(timeAtLevels(['data_only'], 2)).toEqual({ data_only: 2 });
    expect(timeAtLevels(['unanswered', 'full'])).toEqual({ unanswered: 1, full: 1 });
  });
});

describe('edgeTimeFromHeaders', () => {
  it('counts each second at the worst level its answers carried, an absent header as full, and says how often it was absent', () => {
    const bySecond = new Map<number, Record<string, number>>([
      [10, { [ABSENT]: 40 }],
      [11, { full: 30, popularity: 2 }],
      [12, { [ABSENT]: 3, live_only: 1 }],
      [14, { 'not-a-level': 1 }],
    ]);
    expect(edgeTimeFromHeaders(bySecond, 10, 15)).toEqual({ time: { full: 1, popularity: 1, live_only: 1, no_answers: 1, unrecognised: 1 }, headerAbsentS: 1 });
  });
});

describe('degradedShare', () => {
  it('is the share of answers at a level other than full, an absent header counting as full', () => {
    expect(degradedShare({ full: 6, [ABSENT]: 2, popularity: 1, data_only: 1 })).toBeCloseTo(0.2, 10);
    expect(degradedShare({ [ABSENT]: 5 })).toBe(0);
    expect(degradedShare({})).toBeNaN();
  });
});

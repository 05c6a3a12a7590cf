import { describe, expect, it } from 'vitest';
import { largestContentfulPaint, medianDelta, totalBlockingTime } from '../../src/sdk/page-cost/blocking.js';

describe('totalBlockingTime', () => {
  it('adds what each long task runs past 50 ms', () => {
    // 70 → 20, 120 → 70, 50 → 0 (a task of exactly 50 ms blocks nothing).
    expect(totalBlockingTime([{ start: 100, duration: 70 }, { start: 300, duration: 120 }, { start: 600, duration: 50 }], 0, 5000)).toBe(90);
  });

  it('counts a task that began before first paint only from it', () => {
    // 200..400 clipped at 250 → 150 ms in the window → 100 blocking.
    expect(totalBlockingTime([{ start: 200, duration: 200 }], 250, 5000)).toBe(100);
    // Clipped to 30 ms: below the threshold, nothing blocks.
    expect(totalBlockingTime([{ start: 200, duration: 100 }], 270, 5000)).toBe(0);
  });

  it('counts a task that runs past the quiet time only up to it, and none that starts after', () => {
    expect(totalBlockingTime([{ start: 900, duration: 300 }, { start: 1200, duration: 500 }], 0, 1000)).toBe(50);
  });

  it('is 0 without long tasks, and refuses a window that ends before it starts', () => {
    expect(totalBlockingTime([], 100, 200)).toBe(0);
    expect(() => totalBlockingTime([], 300, 200)).toThrow(/until \(200\) must not be before from \(300\)/);
  });
});

describe('largestContentfulPaint', () => {
  it('takes the last entry the browser reported, even when an earlier one was later in time', () => {
    expect(largestContentfulPaint([{ startTime: 400 }, { startTime: 900 }, { startTime: 700 }])).toBe(700);
  });

  it('is undefined when nothing was reported', () => {
    expect(largestContentfulPaint([])).toBeUndefined();
  });
});

describe('medianDelta', () => {
  it('is the median with the script minus the median without, whatever the order of the samples', () => {
    expect(medianDelta([30, 10, 20, 1000, 25], [5, 0, 8, 2, 400])).toBe(25 - 5);
  });

  it('is negative when the page was faster with the script', () => {
    expect(medianDelta([500, 510, 490], [600, 590, 610])).toBe(-100);
  });

  it('is NaN when either side has no samples', () => {
    expect(medianDelta([], [1, 2])).toBeNaN();
    expect(medianDelta([1, 2], [])).toBeNaN();
  });
});

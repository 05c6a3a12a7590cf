import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kthLargest } from '../src/recs/select.js';

describe('kthLargest', () => {
  it('is the k-th value of the values sorted largest first, ties and all', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 60 }), fc.nat(), (values, pick) => {
        const k = (pick % values.length) + 1;
        const sorted = [...values].sort((a, b) => b - a);
        expect(kthLargest(Float64Array.from(values), k)).toBe(sorted[k - 1]);
      }),
    );
  });

  it('names k when it is out of range', () => {
    expect(() => kthLargest(Float64Array.from([1, 2]), 3)).toThrow(/k: expected 1 to 2, got 3/);
    expect(() => kthLargest(Float64Array.from([1, 2]), 0)).toThrow(/k: expected 1 to 2, got 0/);
  });
});

import { describe, expect, it } from 'vitest';
import { advanceProgress, type PartitionProgress } from '../../src/pipeline/sessions/applied-through.js';

describe('advanceProgress', () => {
  it('is applied through the time of a watermark the stored offset has reached', () => {
    expect(advanceProgress({}, 10n, 10n, 1_000)).toEqual({ through: 1_000 });
    expect(advanceProgress({ through: 500 }, 0n, 0n, 1_000)).toEqual({ through: 1_000 });
  });

  it('under a lag, moves to a pending watermark once reached, and not before', () => {
    let p: PartitionProgress = advanceProgress({}, 5n, 10n, 1_000);
    expect(p.through).toBeUndefined();
    // Not reached yet: the older watermark stays the one to reach.
    p = advanceProgress(p, 8n, 14n, 2_000);
    expect(p).toEqual({ pending: { high: 10n, at: 1_000 } });
    p = advanceProgress(p, 12n, 20n, 3_000);
    expect(p).toEqual({ through: 1_000, pending: { high: 20n, at: 3_000 } });
    p = advanceProgress(p, 20n, 25n, 4_000);
    expect(p).toEqual({ through: 3_000, pending: { high: 25n, at: 4_000 } });
  });
});

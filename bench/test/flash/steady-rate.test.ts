import { describe, expect, it } from 'vitest';
import { steadyRate } from '../../src/flash/steady-rate.js';

describe('steadyRate', () => {
  it('is set by the dearest part when one part would reach its budget first', () => {
    // workerd: 5 ms an event → a third of a core at 66.7 events/s; the rest far cheaper.
    const r = steadyRate({ cpuSecondsPerEvent: { workerd: 0.005, collector: 0.0005, pipeline: 0.0005 }, cores: 2 });
    expect(r.limitedBy).toBe('workerd');
    expect(r.eventsPerS).toBe(60);
    expect(r.byPart['collector']).toBeCloseTo(666.7, 0);
  });

  it('is set by the machine when all parts together would take more than its budget', () => {
    // Each part: 1 ms → 333 events/s alone; ten of them take 10 ms an event: a third of 2 cores at 66.7 events/s.
    const parts = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`p${i}`, 0.001]));
    const r = steadyRate({ cpuSecondsPerEvent: parts, cores: 2 });
    expect(r.limitedBy).toBe('all parts');
    expect(r.eventsPerS).toBe(60);
  });

  it('keeps a floor, and refuses a warm-up in which nothing spent CPU', () => {
    expect(steadyRate({ cpuSecondsPerEvent: { workerd: 1 }, cores: 2 }).eventsPerS).toBe(10);
    expect(() => steadyRate({ cpuSecondsPerEvent: { workerd: 0 }, cores: 2 })).toThrow(/cpuSecondsPerEvent: no part spent any CPU/);
  });
});

import { describe, expect, it } from 'vitest';
import { LagClock, StageLagClocks } from '../../src/pipeline/degrade/lag-clock.js';

const T = 1_750_000_000_000;

describe("a stage's lag in time", () => {
  it('is 0 before any batch and once a batch reached the end of its partition', () => {
    const clock = new LagClock();
    expect(clock.lagMs(T)).toBe(0);
    clock.batchStarted('sf.events', 0, T - 4_000, T);
    clock.batchApplied('sf.events', 0, T - 3_000, true, T + 50);
    expect(clock.lagMs(T + 10_000)).toBe(0);
  });

  it("counts from a started batch's oldest record, and keeps counting while the batch does not apply", () => {
    const clock = new LagClock();
    clock.batchStarted('sf.events', 1, T - 2_000, T);
    expect(clock.lagMs(T)).toBe(2_000);
    // A failed or slow batch: the record still waits, and the lag grows with the clock.
    expect(clock.lagMs(T + 9_000)).toBe(11_000);
  });

  it('takes the worst partition', () => {
    const clock = new LagClock();
    clock.batchStarted('sf.events', 0, T - 1_000, T);
    clock.batchStarted('sf.events', 2, T - 7_000, T);
    clock.batchStarted('sf.products', 0, T - 3_000, T);
    expect(clock.lagMs(T)).toBe(7_000);
    clock.batchApplied('sf.events', 2, T - 6_500, true, T);
    expect(clock.lagMs(T)).toBe(3_000);
  });

  it('when a batch leaves records behind it, counts from the last one it applied until the next batch shows the next', () => {
    const clock = new LagClock();
    clock.batchStarted('sf.events', 0, T - 10_000, T);
    clock.batchApplied('sf.events', 0, T - 8_000, false, T + 100);
    expect(clock.lagMs(T + 100)).toBe(8_100);
    clock.batchStarted('sf.events', 0, T - 7_900, T + 200);
    expect(clock.lagMs(T + 200)).toBe(8_100);
  });

  it('samples the worst lag since the previous sample, so a backlog applied between two samples is seen', () => {
    const clock = new LagClock();
    clock.batchStarted('sf.events', 0, T - 6_000, T);
    clock.batchApplied('sf.events', 0, T - 5_000, false, T + 10);
    clock.batchStarted('sf.events', 0, T - 5_000, T + 20);
    clock.batchApplied('sf.events', 0, T - 100, true, T + 400);
    expect(clock.lagMs(T + 1_000)).toBe(0);
    expect(clock.sample(T + 1_000)).toBe(6_000);
    // The next period starts from what holds now.
    expect(clock.sample(T + 2_000)).toBe(0);
  });

  it('forgets the partitions it gave up (a rebalance): their lag is their new owner’s to tell', () => {
    const clock = new LagClock();
    clock.batchStarted('sf.events', 0, T - 6_000, T);
    clock.forgetAll();
    expect(clock.lagMs(T + 1_000)).toBe(0);
  });

  it('keeps one clock per stage, those named up front included', () => {
    const clocks = new StageLagClocks(['identity', 'sessions']);
    clocks.of('aggregates').batchStarted('sf.events.by-user', 0, T - 1_000, T);
    expect(clocks.stages()).toEqual(['identity', 'sessions', 'aggregates']);
    expect(clocks.of('aggregates').lagMs(T)).toBe(1_000);
    expect(clocks.of('identity').lagMs(T)).toBe(0);
  });
});

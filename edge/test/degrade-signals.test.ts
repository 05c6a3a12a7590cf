/**
 * The edge's signals as counters over fixed windows (src/degrade/), on a
 * clock the test sets: what they say of a burst, and that they forget it.
 */
import { describe, expect, it } from 'vitest';
import { OutboxDepthWindow } from '../src/degrade/outbox-depth.js';
import { MIN_READS, ReadStats } from '../src/degrade/read-stats.js';
import { RequestRate } from '../src/degrade/request-rate.js';

const T = 1_800_000_000_000; // a whole second

describe('outbox_depth', () => {
  it('is the largest depth seen in the last 5 s, across what was recorded, and 0 once that is over', () => {
    const depth = new OutboxDepthWindow();
    expect(depth.value(T)).toBe(0);
    depth.record(3, T);
    depth.record(12, T + 900);
    depth.record(4, T + 1_500);
    expect(depth.value(T + 1_600)).toBe(12);
    // 12 was seen in the second starting at T: still in the window until T + 5 s.
    expect(depth.value(T + 4_999)).toBe(12);
    expect(depth.value(T + 5_000)).toBe(4);
    expect(depth.value(T + 6_000)).toBe(0);
  });

  it('keeps a second of old data from coming back when the ring wraps round', () => {
    const depth = new OutboxDepthWindow();
    depth.record(25, T);
    depth.record(2, T + 5_000); // the same slot, five seconds on
    expect(depth.value(T + 5_100)).toBe(2);
  });
});

describe('requests_per_s', () => {
  it('counts the last 5 complete seconds, not the one still counting', () => {
    const rate = new RequestRate();
    for (let i = 0; i < 50; i++) rate.count(T + i * 100); // 10 per second for 5 s
    expect(rate.value(T + 4_999)).toBe(40 / 5);
    expect(rate.value(T + 5_000)).toBe(50 / 5);
    for (let i = 0; i < 300; i++) rate.count(T + 5_000 + i); // a burst inside one second
    expect(rate.value(T + 5_999)).toBe(50 / 5);
    expect(rate.value(T + 6_000)).toBe((40 + 300) / 5);
    expect(rate.value(T + 12_000)).toBe(0);
  });
});

describe('read_p99_ms and read_failure_share', () => {
  it('say nothing below the minimum number of reads in the window', () => {
    const reads = new ReadStats();
    for (let i = 0; i < MIN_READS - 1; i++) reads.record(900, false, T);
    expect(reads.p99(T)).toBeUndefined();
    expect(reads.failureShare(T)).toBeUndefined();
    reads.record(900, false, T);
    expect(reads.failureShare(T)).toBe(1);
  });

  it('find the 99th percentile inside its bucket, and the share of reads that failed', () => {
    const reads = new ReadStats();
    // 98 fast reads (3 to 4 ms), 2 slow ones (700 ms): the 99th percentile is among the slow ones.
    for (let i = 0; i < 98; i++) reads.record(3 + (i % 2), true, T + i);
    reads.record(700, false, T + 200);
    reads.record(700, false, T + 300);
    const p99 = reads.p99(T + 400)!;
    expect(p99).toBeGreaterThan(500);
    expect(p99).toBeLessThanOrEqual(700);
    expect(reads.failureShare(T + 400)).toBeCloseTo(0.02, 10);
    // All fast: the percentile stays within the fast reads' bucket, never at its far bound.
    const fast = new ReadStats();
    for (let i = 0; i < 100; i++) fast.record(3, true, T);
    expect(fast.p99(T)).toBeGreaterThan(2);
    expect(fast.p99(T)).toBeLessThanOrEqual(3);
  });

  it('forget reads older than 10 s', () => {
    const reads = new ReadStats();
    for (let i = 0; i < 40; i++) reads.record(800, false, T);
    expect(reads.failureShare(T + 9_999)).toBe(1);
    for (let i = 0; i < 40; i++) reads.record(5, true, T + 10_000);
    expect(reads.failureShare(T + 10_000)).toBe(0);
    expect(reads.p99(T + 10_000)).toBeLessThanOrEqual(5);
    expect(reads.p99(T + 20_000)).toBeUndefined();
  });

  it('counts what is recorded after a value was asked for', () => {
    const reads = new ReadStats();
    for (let i = 0; i < 20; i++) reads.record(5, true, T);
    expect(reads.failureShare(T)).toBe(0);
    for (let i = 0; i < 20; i++) reads.record(5, false, T);
    expect(reads.failureShare(T)).toBe(0.5);
  });
});

import { describe, expect, it } from 'vitest';
import type { Level } from '@sessionflow/core';
import { cpuByPhase, drainSeconds, gaugeTimeAtLevels, maxLagSeconds, saturated, type ReadingLike } from '../../src/flash/readings.js';

const reading = (at: number, phase: string, lag: number, cpuS: Record<string, number> = {}, pipeline?: Level): ReadingLike => ({
  at,
  phase,
  lag: { seconds: lag },
  levels: { edge: undefined, collector: 'full', pipeline },
  cpuS,
});

const readings = [
  reading(0, 'steady', 0.2, { edge: 0, 'edge › workerd': 0, collector: 0, machine: 0 }, 'full'),
  reading(10_000, 'steady', 0.1, { edge: 3, 'edge › workerd': 2, collector: 1, machine: 8 }, 'full'),
  reading(11_000, 'spike', 0.5, { edge: 3.5, 'edge › workerd': 2.4, collector: 1.2, machine: 9 }, 'popularity'),
  reading(21_000, 'spike', 6, { edge: 13.5, 'edge › workerd': 11.9, collector: 3.2, machine: 28.5 }, 'popularity'),
  reading(22_000, 'drain', 4, {}, 'popularity'),
  reading(25_000, 'drain', 0.9, {}, 'full'),
  reading(26_000, 'drain', 0.2, {}, 'full'),
];

describe('readings', () => {
  it('finds the worst lag in the phases asked', () => {
    expect(maxLagSeconds(readings, ['steady', 'spike', 'drain'])).toBe(6);
    expect(maxLagSeconds(readings, ['steady'])).toBe(0.2);
  });

  it('times the drain from the end of the spike to the first reading under a second of lag', () => {
    expect(drainSeconds(readings, 21_500)).toBeCloseTo(3.5, 9);
    expect(drainSeconds(readings.slice(0, 5), 21_500)).toBeUndefined();
  });

  it("adds up each part's seconds at each level", () => {
    expect(gaugeTimeAtLevels(readings, ['spike', 'drain'], ['pipeline', 'edge'])).toEqual({ pipeline: { popularity: 3, full: 2 }, edge: { absent: 5 } });
  });

  it('tells a part whose /metrics did not answer from one without the gauge', () => {
    const late = [{ ...reading(0, 'spike', 0, {}, 'full'), unanswered: ['pipeline' as const] }, reading(1000, 'spike', 0, {}, 'full')];
    expect(gaugeTimeAtLevels(late, ['spike'], ['pipeline', 'edge'])).toEqual({ pipeline: { unanswered: 1, full: 1 }, edge: { absent: 2 } });
  });

  it('says where the CPU went in each phase, and what was at its limit, judging the edge by its processes', () => {
    const cpu = cpuByPhase(readings, 2);
    expect(cpu['spike']!.cores['edge › workerd']).toBeCloseTo(0.95, 9);
    expect(cpu['spike']!.cores['edge']).toBeCloseTo(1, 9);
    expect(cpu['spike']!.machineBusy).toBeCloseTo(0.975, 9);
    expect(saturated(cpu['spike']!, 2)).toEqual(['edge › workerd (0.95 cores)', 'the machine (98 % of 2 cores busy)']);
    expect(saturated(cpu['steady']!, 2)).toEqual([]);
  });
});

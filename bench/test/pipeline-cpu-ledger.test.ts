import { describe, expect, it } from 'vitest';
import { coresUsed, cpuWindow, redisUsPerEvent, type CpuSample } from '../src/pipeline/cpu-ledger.js';

const before: CpuSample = { parts: { pipeline: 10, redisMasters: 4, redisReplicas: 1, redisForks: 0, kafka: 20, bench: 2 }, machine: 100, stolen: 5 };
const after: CpuSample = { parts: { pipeline: 16, redisMasters: 7, redisReplicas: 2.5, redisForks: 0.5, kafka: 22, bench: 2.5 }, machine: 115, stolen: 6 };

describe('cpuWindow', () => {
  // 10 s on 2 cores = 20 CPU seconds of capacity; 100,000 events.
  const window = cpuWindow(before, after, 100_000, 10, 2);

  it('gives each part its CPU per event over the window', () => {
    expect(window.usPerEvent.pipeline).toBeCloseTo(60, 6);
    expect(window.usPerEvent.redisMasters).toBeCloseTo(30, 6);
    expect(window.usPerEvent.redisReplicas).toBeCloseTo(15, 6);
    expect(window.usPerEvent.kafka).toBeCloseTo(20, 6);
    expect(window.usPerEvent.machine).toBeCloseTo(150, 6);
  });

  it('charges to others what the machine spent beyond our parts', () => {
    // 15 s busy − (6 + 3 + 1.5 + 0.5 + 2 + 0.5) = 1.5 s.
    expect(window.usPerEvent.other).toBeCloseTo(15, 6);
    expect(window.share.other).toBeCloseTo(0.075, 9);
  });

  it('splits the capacity into parts, stolen time and idle time', () => {
    expect(window.share.pipeline).toBeCloseTo(0.3, 9);
    expect(window.share.stolen).toBeCloseTo(0.05, 9);
    // 1 − (15 busy + 1 stolen) / 20.
    expect(window.share.idle).toBeCloseTo(0.2, 9);
  });

  it('leaves out a part measured at one end only, and the machine where /proc is missing', () => {
    const partial = cpuWindow({ parts: { pipeline: 1, redisMasters: 1 } }, { parts: { redisMasters: 2 } }, 1_000, 1, 2);
    expect(partial.usPerEvent.pipeline).toBeNull();
    expect(partial.usPerEvent.redisMasters).toBeCloseTo(1_000, 6);
    expect(partial.usPerEvent.machine).toBeNull();
    expect(partial.share.idle).toBeNull();
    expect(partial.share.other).toBeNull();
  });

  it('refuses a window without events or time', () => {
    expect(() => cpuWindow(before, after, 0, 10, 2)).toThrow(/events/);
    expect(() => cpuWindow(before, after, 10, 0, 2)).toThrow(/seconds/);
  });
});

describe('redisUsPerEvent', () => {
  it('adds masters and replicas, not the forks', () => {
    expect(redisUsPerEvent(cpuWindow(before, after, 100_000, 10, 2))).toBeCloseTo(45, 6);
  });

  it('is the master alone on a single node', () => {
    const single = cpuWindow({ parts: { redisMasters: 1, redisReplicas: 0 } }, { parts: { redisMasters: 4, redisReplicas: 0 } }, 100_000, 10, 2);
    expect(redisUsPerEvent(single)).toBeCloseTo(30, 6);
  });
});

describe('coresUsed and CPU beyond rest', () => {
  it('gives the cores each part kept busy, and null for a part not read at both ends', () => {
    const rates = coresUsed({ parts: { kafka: 10, redisMasters: 2 } }, { parts: { kafka: 11, redisMasters: 2.05, pipeline: 3 } }, 5);
    expect(rates.kafka).toBeCloseTo(0.2, 9);
    expect(rates.redisMasters).toBeCloseTo(0.01, 9);
    expect(rates.pipeline).toBeNull();
  });

  it('charges to the events only what a part spent beyond its rate at rest', () => {
    // Kafka: 2 s in the 10 s window, 0.05 cores at rest = 0.5 s of it: 1.5 s for 100,000 events.
    const window = cpuWindow(before, after, 100_000, 10, 2, { ...coresUsed(before, before, 1), kafka: 0.05, redisMasters: 0 });
    expect(window.usPerEventBeyondRest.kafka).toBeCloseTo(15, 6);
    expect(window.usPerEventBeyondRest.redisMasters).toBeCloseTo(30, 6);
    expect(window.usPerEventBeyondRest.pipeline).toBeCloseTo(60, 6);
  });

  it('knows nothing beyond rest without a rate at rest', () => {
    const window = cpuWindow(before, after, 100_000, 10, 2);
    expect(window.usPerEventBeyondRest.kafka).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { createPipelineMetrics } from '../src/pipeline/metrics.js';
import { backoffMs, failureKind, PartitionStops } from '../src/pipeline/partition-stops.js';
import { BatchPlanError } from '../src/store/batch-checks.js';
import { BatchWouldFailError, GuardConflictError } from '../src/store/guarded-batch.js';
import { StoreBehindLogError } from '../src/pipeline/store-behind.js';

/** Timers run by hand: the test says when a backoff has passed. */
class ManualTimers {
  readonly pending = new Map<number, { run: () => void; ms: number }>();
  private next = 0;
  readonly set = (run: () => void, ms: number): unknown => {
    this.next++;
    this.pending.set(this.next, { run, ms });
    return this.next;
  };
  readonly clear = (timer: unknown): void => void this.pending.delete(timer as number);
  waits(): number[] {
    return [...this.pending.values()].map((t) => t.ms);
  }
  async fire(): Promise<void> {
    const due = [...this.pending];
    this.pending.clear();
    for (const [, timer] of due) timer.run();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function setup(restart: (topic: string, partition: number, from: string) => Promise<void> = async () => undefined) {
  const lines: string[] = [];
  const timers = new ManualTimers();
  const metrics = createPipelineMetrics({ defaultMetrics: false });
  const restarts: [string, number, string][] = [];
  const stops = new PartitionStops({
    stage: 'aggregates',
    logger: createLogger('info', (line) => lines.push(line)),
    metrics,
    backoff: { initialMs: 100, maxMs: 1_000 },
    restart: async (topic, partition, from) => {
      restarts.push([topic, partition, from]);
      await restart(topic, partition, from);
    },
    setTimer: timers.set,
    clearTimer: timers.clear,
  });
  const stopped = async () => (await metrics.partitionStopped.get()).values.map((v) => [v.labels.topic, v.labels.partition, v.value]);
  const failures = async () => (await metrics.batchFailures.get()).values.map((v) => [v.labels.kind, v.value]);
  return { stops, lines, timers, metrics, restarts, stopped, failures };
}

describe('PartitionStops', () => {
  it('stops a partition whose batch failed, says why in the log and the gauge, and hands it back after the backoff', async () => {
    const { stops, lines, timers, restarts, stopped, failures } = setup();
    stops.failed('sf.events.by-user', 2, '40', new BatchWouldFailError('sf:profile:x:affinities is a string, not a hash', 'HINCRBYFLOAT (command 3)'));

    expect(stops.isWaiting('sf.events.by-user', 2)).toBe(true);
    expect(stops.isWaiting('sf.events.by-user', 1)).toBe(false);
    expect(await stopped()).toEqual([['sf.events.by-user', '2', 1]]);
    expect(await failures()).toEqual([['would_fail', 1]]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('ERROR');
    expect(lines[0]).toContain('aggregates stage stopped taking sf.events.by-user partition 2');
    expect(lines[0]).toContain('sf:profile:x:affinities is a string, not a hash');
    expect(lines[0]).toContain('trying again in 100 ms');
    expect(timers.waits()).toEqual([100]);

    await timers.fire();
    expect(restarts).toEqual([['sf.events.by-user', 2, '40']]);
    expect(stops.isWaiting('sf.events.by-user', 2)).toBe(false);
    // Still reported stopped until a batch of it applies.
    expect(await stopped()).toEqual([['sf.events.by-user', '2', 1]]);

    stops.applied('sf.events.by-user', 2);
    expect(await stopped()).toEqual([['sf.events.by-user', '2', 0]]);
    expect(lines.at(-1)).toContain('takes sf.events.by-user partition 2 again');
  });

  it('waits twice as long after each failure in a row, up to the maximum, and starts again from the initial wait once applied', async () => {
    const { stops, timers } = setup();
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      stops.failed('t', 0, '0', new Error('redis down'));
      waits.push(...timers.waits());
      await timers.fire();
    }
    expect(waits).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    stops.applied('t', 0);
    stops.failed('t', 0, '9', new Error('again'));
    expect(timers.waits()).toEqual([100]);
  });

  it('keeps the partition stopped when it cannot be resumed from the stored offset, and tries again later', async () => {
    const { stops, timers, restarts, lines } = setup(async () => {
      throw new Error('the stored offset is unreadable');
    });
    stops.failed('t', 1, '5', new Error('first'));
    await timers.fire();
    expect(restarts).toHaveLength(1);
    expect(stops.isWaiting('t', 1)).toBe(true);
    expect(timers.waits()).toEqual([200]);
    expect(lines.at(-1)).toContain('could not resume from the stored offset: the stored offset is unreadable');
  });

  it('forgets partitions a rebalance moved away, and stops trying once closed', async () => {
    const { stops, timers, restarts, stopped } = setup();
    stops.failed('t', 0, '1', new Error('x'));
    stops.failed('t', 1, '1', new Error('x'));
    expect(stops.keepOnly({ t: [1, 2] })).toEqual([{ topic: 't', partition: 0 }]);
    expect(await stopped()).toEqual([['t', '1', 1]]);
    expect(stops.isWaiting('t', 0)).toBe(false);
    expect(timers.waits()).toEqual([100]);
    stops.close();
    await timers.fire();
    expect(restarts).toEqual([]);
  });
});

describe('failureKind and backoffMs', () => {
  it('names a bounded kind for the metric', () => {
    expect(failureKind(new BatchWouldFailError('k is a string, not a hash', 'HSET'))).toBe('would_fail');
    expect(failureKind(new BatchPlanError('bad'))).toBe('plan');
    expect(failureKind(new GuardConflictError(5))).toBe('guard_conflict');
    expect(failureKind(new StoreBehindLogError('t.events', 1, 4n, 9n))).toBe('store_behind');
    expect(failureKind(new Error('OOM command not allowed'))).toBe('error');
  });

  it('doubles from the initial wait and never passes the maximum', () => {
    const backoff = { initialMs: 250, maxMs: 10_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 100].map((n) => backoffMs(backoff, n))).toEqual([250, 500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });
});

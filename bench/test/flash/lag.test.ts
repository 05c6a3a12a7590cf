import { describe, expect, it } from 'vitest';
import { lagFromOffsets, pipelineLagSeconds, type EndSample } from '../../src/flash/lag.js';

const sample = (at: number, ends: Record<string, number>): EndSample => ({ at, ends: new Map(Object.entries(ends).map(([k, v]) => [k, BigInt(v)])) });
const history = [sample(0, { 'sf.events/0': 10, 'sf.events/1': 5 }), sample(1000, { 'sf.events/0': 30, 'sf.events/1': 5 }), sample(2000, { 'sf.events/0': 60, 'sf.events/1': 9 })];

describe('lagFromOffsets', () => {
  it('is 0 when every stage has applied up to the end', () => {
    const lag = lagFromOffsets(history, [{ stage: 'identity', partition: 'sf.events/0', next: 60n }, { stage: 'identity', partition: 'sf.events/1', next: 9n }], 2500);
    expect(lag).toEqual({ seconds: 0, worst: undefined, source: 'offsets' });
  });

  it('counts from the first sample that had the oldest unapplied record, worst stage and partition first', () => {
    // sessions' next record on partition 0 is offset 12: written by the sample at 1000 (end 30 > 12).
    const lag = lagFromOffsets(
      history,
      [
        { stage: 'sessions', partition: 'sf.events/0', next: 12n },
        { stage: 'identity', partition: 'sf.events/0', next: 40n },
        { stage: 'identity', partition: 'sf.events/1', next: 5n },
      ],
      3500,
    );
    expect(lag.seconds).toBeCloseTo(2.5, 9);
    expect(lag.worst).toEqual({ stage: 'sessions', partition: 'sf.events/0' });
  });

  it('counts records older than the first sample from it', () => {
    const lag = lagFromOffsets(history, [{ stage: 'aggregates', partition: 'sf.events/0', next: 0n }], 4000);
    expect(lag.seconds).toBeCloseTo(4, 9);
  });

  it('reads nothing without samples', () => {
    expect(lagFromOffsets([], [{ stage: 'identity', partition: 'x/0', next: 0n }], 10).seconds).toBe(0);
  });
});

describe('pipelineLagSeconds', () => {
  const computed = () => ({ seconds: 7, worst: undefined, source: 'offsets' as const });

  it("prefers the pipeline's own gauge, its worst sample", () => {
    const metrics = [
      '# TYPE sessionflow_pipeline_lag_seconds gauge',
      'sessionflow_pipeline_lag_seconds{stage="identity",topic="sf.events",partition="0"} 0.5',
      'sessionflow_pipeline_lag_seconds{stage="aggregates",topic="sf.events.by-user",partition="2"} 3.25',
      'sessionflow_pipeline_lag_records{stage="identity",topic="sf.events",partition="0"} 999',
    ].join('\n');
    expect(pipelineLagSeconds(metrics, computed)).toEqual({ seconds: 3.25, worst: { stage: 'aggregates', partition: 'sf.events.by-user/2' }, source: 'pipeline gauge' });
  });

  it('computes from offsets when the gauge is not there, or the pipeline did not answer', () => {
    expect(pipelineLagSeconds('sessionflow_pipeline_lag_records{stage="identity"} 4', computed).source).toBe('offsets');
    expect(pipelineLagSeconds(undefined, computed).seconds).toBe(7);
  });
});

describe('pipelineLagSeconds with a gauge per stage only', () => {
  it('names the stage, not a partition', () => {
    const metrics = 'sessionflow_pipeline_lag_seconds{stage="sessions"} 1.5\nsessionflow_pipeline_lag_seconds{stage="identity"} 0.25';
    expect(pipelineLagSeconds(metrics, () => ({ seconds: 0, worst: undefined, source: 'offsets' }))).toEqual({ seconds: 1.5, worst: { stage: 'sessions', partition: 'its worst partition' }, source: 'pipeline gauge' });
  });
});

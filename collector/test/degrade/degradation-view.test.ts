import { describe, expect, it } from 'vitest';
import { degradationView, partLevel, PIPELINE_SILENT, pipelinePart } from '../../src/degrade/degradation-view.js';
import type { PipelineReport } from '../../src/degrade/pipeline-report.js';
import { SILENT_AFTER_MS } from '../../src/degrade/pipeline-report.js';

const T = 1_750_000_000_000;
const report = (over: Partial<PipelineReport> = {}): PipelineReport => ({ level: 'full', reason: null, lagS: 0.2, at: T - 500, ...over });

describe("the pipeline's part of GET /v1/degradation", () => {
  it('is null while no report was ever seen: a stack without a pipeline', () => {
    expect(pipelinePart([], undefined, T)).toBeNull();
  });

  it("is the report's level, reason, lag and time while it is fresh", () => {
    expect(pipelinePart([report({ level: 'popularity', reason: 'lag_s', lagS: 6.5 })], T - 500, T)).toEqual({ level: 'popularity', reason: 'lag_s', lagS: 6.5, at: T - 500 });
    expect(pipelinePart([report()], T - 500, T)).toEqual({ level: 'full', lagS: 0.2, at: T - 500 });
  });

  it(`counts as popularity, ${PIPELINE_SILENT}, once the newest report is older than ${SILENT_AFTER_MS} ms`, () => {
    const old = report({ at: T - SILENT_AFTER_MS - 1 });
    expect(pipelinePart([old], old.at, T)).toEqual({ level: 'popularity', reason: PIPELINE_SILENT, at: old.at });
    // Exactly at the bound it is still fresh.
    expect(pipelinePart([report({ at: T - SILENT_AFTER_MS })], T - SILENT_AFTER_MS, T)?.level).toBe('full');
  });

  it('counts as silent when the reports are gone (the key expired) after one was seen, saying when the last one was', () => {
    expect(pipelinePart([], T - 20_000, T)).toEqual({ level: 'popularity', reason: PIPELINE_SILENT, at: T - 20_000 });
  });

  it("is silent, not the report's worse level, when a silent pipeline's last report was worse", () => {
    const old = report({ level: 'live_only', reason: 'lag_s', lagS: 40, at: T - 12_000 });
    expect(pipelinePart([old], old.at, T)).toEqual({ level: 'popularity', reason: PIPELINE_SILENT, at: old.at });
  });

  it('takes the worst of several instances, and the largest lag of them', () => {
    const reports = [report({ lagS: 0.5 }), report({ level: 'popularity', reason: 'lag_s', lagS: 7, at: T - 300 }), report({ lagS: 9 })];
    // The level and reason are the worst instance's; the lag is the largest any fresh report shows.
    expect(pipelinePart(reports, T - 300, T)).toEqual({ level: 'popularity', reason: 'lag_s', lagS: 9, at: T - 300 });
  });

  it('counts an instance gone quiet beside others that report as silent, unless another says worse', () => {
    const quiet = report({ at: T - 11_000 });
    expect(pipelinePart([report(), quiet], T - 500, T)).toEqual({ level: 'popularity', reason: PIPELINE_SILENT, at: T - 11_000 });
    const worse = report({ level: 'live_only', reason: 'lag_s', lagS: 35 });
    expect(pipelinePart([worse, quiet], T - 500, T)).toEqual({ level: 'live_only', reason: 'lag_s', lagS: 35, at: T - 500 });
  });
});

describe('the answer', () => {
  it("is the worst of the collector's level and the pipeline's", () => {
    expect(degradationView({ level: 'full' }, null)).toEqual({ level: 'full', parts: { collector: { level: 'full' }, pipeline: null } });
    const silent = { level: 'popularity' as const, reason: PIPELINE_SILENT, at: T };
    expect(degradationView({ level: 'full' }, silent).level).toBe('popularity');
    expect(degradationView({ level: 'data_only', reason: 'pending_bytes' }, silent)).toEqual({ level: 'data_only', parts: { collector: { level: 'data_only', reason: 'pending_bytes' }, pipeline: silent } });
  });

  it('names a reason only below full', () => {
    expect(partLevel({ level: 'full', reason: undefined })).toEqual({ level: 'full' });
    expect(partLevel({ level: 'live_only', reason: 'produce_p99_ms' })).toEqual({ level: 'live_only', reason: 'produce_p99_ms' });
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_SESSION_POLICY } from '@sessionflow/core';
import { readPipelineConfig } from '../../src/pipeline/config.js';

describe('the sessions stage configuration', () => {
  it('snapshots every 5 s and closes after core\'s inactivity gap unless told otherwise', () => {
    expect(readPipelineConfig({})).toMatchObject({ snapshotIntervalMs: 5_000, sessionGapMs: DEFAULT_SESSION_POLICY.inactivityGapMs });
    expect(readPipelineConfig({ PIPELINE_SNAPSHOT_INTERVAL_MS: '1500', PIPELINE_SESSION_GAP_MS: '4000' })).toMatchObject({ snapshotIntervalMs: 1_500, sessionGapMs: 4_000 });
  });

  it('names the variable that is wrong', () => {
    expect(() => readPipelineConfig({ PIPELINE_SNAPSHOT_INTERVAL_MS: 'often' })).toThrow(/PIPELINE_SNAPSHOT_INTERVAL_MS/);
    expect(() => readPipelineConfig({ PIPELINE_SESSION_GAP_MS: '0' })).toThrow(/PIPELINE_SESSION_GAP_MS/);
  });
});

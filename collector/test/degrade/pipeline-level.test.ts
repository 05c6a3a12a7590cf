import type { DegradePolicy } from '@sessionflow/core';
import { describe, expect, it } from 'vitest';
import { LevelKeeper } from '../../src/degrade/level-keeper.js';
import { parsePipelineReport, pipelineReportsKey, PUBLISH_REPORT_SCRIPT, REPORT_TTL_MS, WITHDRAW_REPORT_SCRIPT } from '../../src/degrade/pipeline-report.js';
import { createLogger } from '../../src/log.js';
import { startPipelineLevel, stepPipelineLevel } from '../../src/pipeline/degrade/pipeline-level.js';
import { createPipelineMetrics } from '../../src/pipeline/metrics.js';
import type { StoreScript } from '../../src/store/client.js';

const T = 1_750_000_000_000;
const POLICY: DegradePolicy = {
  triggers: [
    { signal: 'lag_s', level: 'popularity', enter: 5, exit: 1 },
    { signal: 'lag_s', level: 'live_only', enter: 30, exit: 10 },
  ],
  recoverAfterMs: 2_000,
};

function setup() {
  const metrics = createPipelineMetrics({ defaultMetrics: false });
  const keeper = new LevelKeeper(POLICY, metrics.level, T);
  return { metrics, keeper };
}

/** The value of a labelled gauge or counter, as /metrics would show it. */
async function valueOf(metric: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> }, labels: Record<string, string>): Promise<number | undefined> {
  return (await metric.get()).values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

describe("the pipeline's level from its lag", () => {
  it('sets each stage’s lag in seconds, 0 for a stage caught up, and reports the worst', async () => {
    const { metrics, keeper } = setup();
    metrics.lagClocks.of('sessions').batchStarted('sf.events', 1, T - 2_500, T);
    metrics.lagClocks.of('aggregates').batchStarted('sf.events.by-user', 0, T - 4_000, T);
    const report = stepPipelineLevel({ metrics, keeper }, T + 250);
    expect(await valueOf(metrics.lagSeconds, { stage: 'identity' })).toBe(0);
    expect(await valueOf(metrics.lagSeconds, { stage: 'sessions' })).toBe(2.75);
    expect(await valueOf(metrics.lagSeconds, { stage: 'aggregates' })).toBe(4.25);
    expect(report).toEqual({ level: 'full', reason: null, lagS: 4.25, at: T + 250 });
  });

  it('worsens at once as the lag passes each threshold, and recovers one level per calm period once caught up', async () => {
    const { metrics, keeper } = setup();
    const clock = metrics.lagClocks.of('identity');
    clock.batchStarted('sf.events', 0, T, T); // a batch that does not apply: its record waits
    const levels: string[] = [];
    for (const s of [1, 6, 12, 31, 32]) levels.push(stepPipelineLevel({ metrics, keeper }, T + s * 1_000).level);
    expect(levels).toEqual(['full', 'popularity', 'popularity', 'live_only', 'live_only']);
    const worst = stepPipelineLevel({ metrics, keeper }, T + 33_000);
    expect(worst).toEqual({ level: 'live_only', reason: 'lag_s', lagS: 33, at: T + 33_000 });
    clock.batchApplied('sf.events', 0, T + 33_000, true, T + 33_000);
    // Caught up: calm from 34 s; each level holds for a calm period (2 s) before it goes up one.
    const after = [34, 35, 36, 37, 38, 39].map((s) => stepPipelineLevel({ metrics, keeper }, T + s * 1_000).level);
    expect(after).toEqual(['live_only', 'live_only', 'popularity', 'popularity', 'full', 'full']);
    expect(await valueOf(metrics.level.level, { level: 'full' })).toBe(1);
    expect(await valueOf(metrics.level.level, { level: 'live_only' })).toBe(0);
    expect(await valueOf(metrics.level.changes, { from: 'full', to: 'popularity' })).toBe(1);
    expect(await valueOf(metrics.level.changes, { from: 'popularity', to: 'live_only' })).toBe(1);
    expect(await valueOf(metrics.level.changes, { from: 'live_only', to: 'popularity' })).toBe(1);
    expect(await valueOf(metrics.level.changes, { from: 'popularity', to: 'full' })).toBe(1);
    const text = await metrics.registry.metrics();
    expect(text).toContain('sessionflow_pipeline_degradation_level{level="full"} 1');
    expect(text).toContain('sessionflow_pipeline_lag_seconds{stage="identity"} 0');
  });

  it('publishes its report to the one key at once and every period, and withdraws it when it stops', async () => {
    const { metrics, keeper } = setup();
    const calls: { script: StoreScript; keys: readonly string[]; args: readonly string[] }[] = [];
    const redis = { runScript: (script: StoreScript, keys: readonly string[], args: readonly string[]) => (calls.push({ script, keys, args }), Promise.resolve(1)) };
    let now = T;
    metrics.lagClocks.of('sessions').batchStarted('sf.events', 0, T - 7_000, T);
    const level = startPipelineLevel({ keeper, metrics, redis, topicPrefix: 'shop', logger: createLogger('error', () => undefined), everyMs: 20, now: () => now });
    expect(calls).toHaveLength(1);
    const [first] = calls;
    expect(first?.script).toBe(PUBLISH_REPORT_SCRIPT);
    expect(first?.keys).toEqual([pipelineReportsKey('shop')]);
    expect(pipelineReportsKey('shop')).toBe('shop:pipeline:degradation');
    const [instance, report, at, ttl] = first?.args ?? [];
    expect(parsePipelineReport(report ?? '')).toEqual({ level: 'popularity', reason: 'lag_s', lagS: 7, at: T });
    expect([at, ttl]).toEqual([String(T), String(REPORT_TTL_MS)]);
    now = T + 1_000;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.every((c) => c.args[0] === instance)).toBe(true);
    await level.stop();
    const last = calls.at(-1);
    expect(last?.script).toBe(WITHDRAW_REPORT_SCRIPT);
    expect(last?.args).toEqual([instance]);
    const count = calls.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(calls).toHaveLength(count);
  });

  it('goes on stepping when Redis refuses the report, and says so once', async () => {
    const { metrics, keeper } = setup();
    const lines: string[] = [];
    let refused = 0;
    const redis = { runScript: () => (refused++, Promise.reject(new Error('The client is offline'))) };
    const level = startPipelineLevel({ keeper, metrics, redis, topicPrefix: 'shop', logger: createLogger('warn', (line) => lines.push(line)), everyMs: 10 });
    await new Promise((resolve) => setTimeout(resolve, 80));
    await level.stop();
    expect(refused).toBeGreaterThan(2);
    expect(lines.filter((l) => l.includes('publishing the pipeline degradation level'))).toHaveLength(1);
  });
});

describe('a stored report', () => {
  it('is read back as written, and anything else is no report', () => {
    const report = { level: 'live_only', reason: 'lag_s', lagS: 31.5, at: T };
    expect(parsePipelineReport(JSON.stringify(report))).toEqual(report);
    expect(parsePipelineReport(JSON.stringify({ ...report, reason: null, level: 'full' }))).toEqual({ ...report, reason: null, level: 'full' });
    expect(parsePipelineReport('not json')).toBeNull();
    expect(parsePipelineReport(JSON.stringify({ ...report, level: 'panic' }))).toBeNull();
    expect(parsePipelineReport(JSON.stringify({ ...report, at: 'now' }))).toBeNull();
  });
});

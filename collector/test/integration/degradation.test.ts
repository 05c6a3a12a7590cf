/**
 * The pipeline's degradation level on real Kafka and Redis, read by the collector's `GET /v1/degradation`:
 *
 * - a pipeline started behind a backlog (produced seconds before it starts) measures its lag in seconds,
 *   worsens its level by a small policy (PIPELINE_DEGRADE_POLICY), publishes it to its Redis key, the collector
 *   answers it, and the level recovers one step per calm period once the stages caught up with every record;
 * - a pipeline stalled (SIGSTOP) goes silent: the collector counts it as `popularity`, `pipeline_silent`, until it
 *   reports again (SIGCONT);
 * - a pipeline stopped on purpose withdraws its report; the collector, having seen one, counts it silent;
 * - restarted over what it applied before, it counts only new records as lag.
 *
 * Nothing here is timed: the backlog is older than the thresholds before the pipeline even starts, and every
 * wait is for a state to be reached.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEventRecord, topicNames, type Topics } from '@sessionflow/core';
import type { Child } from '@sessionflow/infra';
import type { RunningCollector } from '../../src/server.js';
import { pipelineReportsKey, REPORT_TTL_MS } from '../../src/degrade/pipeline-report.js';
import type { DegradationView } from '../../src/degrade/degradation-view.js';
import { stageOffsetKeys } from '../../src/pipeline/stage-offsets.js';
import { eventually, newVisitor, printedProbes, readyProbes, pageView, productClick, startInfra, startPipelineChild, startTestCollector, type Infra } from './support.js';

const READ_SECRET = 'integration-read-secret';
const prefix = `it-degrade-${Date.now().toString(36)}`;
const BACKLOG = 600;
/** Seconds the backlog's oldest record is at least behind when the pipeline starts: past both thresholds below. */
const BACKLOG_AGE_S = 4;
const POLICY = {
  triggers: [
    { signal: 'lag_s', level: 'popularity', enter: 1, exit: 0.5 },
    { signal: 'lag_s', level: 'live_only', enter: 3, exit: 1 },
  ],
  recoverAfterMs: 3_000,
};

let infra: Infra;
let topics: Topics;
let collector: RunningCollector;
let pipeline: Child | undefined;
let probes = '';

beforeAll(async () => {
  infra = await startInfra();
  topics = topicNames(prefix);
  await infra.createTopics(topics);
  collector = await startTestCollector(infra, prefix, READ_SECRET);
});

afterAll(async () => {
  await pipeline?.stop(5_000);
  await collector?.close();
  await infra?.stop();
});

async function degradation(): Promise<DegradationView> {
  const answer = await fetch(`${collector.url}/v1/degradation`, { headers: { authorization: `Bearer ${READ_SECRET}` } });
  expect(answer.status).toBe(200);
  return (await answer.json()) as DegradationView;
}

/** The pipeline's /metrics, one sample by name and labels (undefined when absent). */
async function sample(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const text = await (await fetch(`${probes}/metrics`)).text();
  const wanted = `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`;
  const line = text.split('\n').find((l) => l.startsWith(`${wanted} `));
  return line === undefined ? undefined : Number(line.slice(wanted.length + 1));
}

/** Whether every stage stored, for every partition it reads, the end of the topic as Kafka has it now. */
async function caughtUp(): Promise<boolean> {
  const keys = stageOffsetKeys(prefix);
  const reads = [
    { stage: keys.identity, topic: topics.events },
    { stage: keys.sessions, topic: topics.events },
    { stage: keys.aggregates, topic: topics.eventsByUser },
  ];
  for (const { stage, topic } of reads) {
    const ends = await infra.admin.fetchTopicOffsets(topic);
    const stored = await infra.client.mGet(ends.map((e) => stage(topic, e.partition)));
    if (ends.some((e, i) => Number(stored[i] ?? 0) !== Number(e.high))) return false;
  }
  return true;
}

describe("the pipeline's degradation level, published and read by the collector", () => {
  it('is absent while no pipeline ever reported: the collector answers its own level alone', async () => {
    expect(await degradation()).toEqual({ level: 'full', parts: { collector: { level: 'full' }, pipeline: null } });
  });

  it('worsens behind a backlog, is published and read by /v1/degradation, and recovers once every stage caught up', async () => {
    const producedAt = Date.now();
    for (let sent = 0; sent < BACKLOG; sent += 100) {
      const events = Array.from({ length: 100 }, (_, i) => {
        const visitor = newVisitor();
        return i % 2 === 0 ? pageView(visitor) : productClick(visitor, `sku-${i % 7}`, 'kitchen');
      });
      await infra.producer.send({ topic: topics.events, acks: -1, messages: events.map((e) => encodeEventRecord(e, { siteKey: 'demo-site-key', receivedAt: Date.now(), ingestedAt: Date.now() })) });
    }
    // The oldest record is older than the worst threshold before the pipeline starts: its first batch shows it.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, producedAt + BACKLOG_AGE_S * 1_000 - Date.now())));
    pipeline = startPipelineChild(infra, { name: 'pipeline', prefix, logName: 'pipeline-degradation.log', env: { PIPELINE_DEGRADE_POLICY: JSON.stringify(POLICY) } });
    const child = pipeline;
    probes = await printedProbes(child);

    let worst: DegradationView | undefined;
    await eventually('/v1/degradation to show the pipeline at live_only', async () => {
      const view = await degradation();
      if (view.parts.pipeline?.level === 'live_only') worst = view;
      return worst !== undefined;
    }, 60_000);
    expect(worst?.level).toBe('live_only');
    expect(worst?.parts.collector).toEqual({ level: 'full' });
    expect(worst?.parts.pipeline).toMatchObject({ level: 'live_only', reason: 'lag_s' });
    // The step that worsened it measured the backlog's age (the collector may read a later report, caught up already).
    const change = /the pipeline degradation level changed (\{.*"to":"live_only".*\})/.exec(readFileSync(child.logFile, 'utf8'))?.[1];
    expect(JSON.parse(change ?? '{}')).toMatchObject({ from: 'full', to: 'live_only', reason: 'lag_s' });
    expect((JSON.parse(change ?? '{}') as { lagS: number }).lagS).toBeGreaterThanOrEqual(BACKLOG_AGE_S);

    // The key holds one instance's report and expires unless renewed.
    const key = pipelineReportsKey(prefix);
    const ttl = await infra.store.pTTL(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(REPORT_TTL_MS);
    expect(Object.keys(await infra.store.hGetAll(key))).toHaveLength(1);

    await eventually('/v1/degradation to show everything at full again', async () => (await degradation()).level === 'full', 60_000);
    // It recovered because it caught up: every stage stored every topic's end.
    expect(await caughtUp()).toBe(true);
    const recovered = await degradation();
    expect(recovered.parts.pipeline).toMatchObject({ level: 'full' });
    expect(recovered.parts.pipeline?.reason).toBeUndefined();
    expect(recovered.parts.pipeline?.lagS).toBeLessThan(POLICY.triggers[0]!.exit);
    // Worse at once, better one level per calm period: full → live_only → popularity → full.
    expect(await sample('sessionflow_pipeline_degradation_changes_total', { from: 'full', to: 'live_only' })).toBe(1);
    expect(await sample('sessionflow_pipeline_degradation_changes_total', { from: 'live_only', to: 'popularity' })).toBe(1);
    expect(await sample('sessionflow_pipeline_degradation_changes_total', { from: 'popularity', to: 'full' })).toBe(1);
    expect(await sample('sessionflow_pipeline_degradation_level', { level: 'full' })).toBe(1);
    expect(await sample('sessionflow_pipeline_degradation_level', { level: 'live_only' })).toBe(0);
    for (const stage of ['identity', 'sessions', 'aggregates']) expect(await sample('sessionflow_pipeline_lag_seconds', { stage })).toBe(0);
  });

  it('counts a stalled pipeline as popularity, pipeline_silent, and follows it again once it reports', async () => {
    const child = pipeline as Child;
    child.pause();
    try {
      await eventually('/v1/degradation to count the pipeline silent', async () => (await degradation()).parts.pipeline?.reason === 'pipeline_silent', 60_000);
    } finally {
      child.resume();
    }
    const silent = await degradation();
    expect(silent.level).toBe('popularity');
    expect(silent.parts.pipeline).toMatchObject({ level: 'popularity', reason: 'pipeline_silent' });
    await eventually('/v1/degradation to follow the pipeline again', async () => (await degradation()).parts.pipeline?.reason === undefined, 60_000);
    expect((await degradation()).parts.pipeline?.level).toBe('full');
  });

  it('withdraws the report of a pipeline stopped on purpose; the collector, having seen one, counts it silent', async () => {
    const child = pipeline as Child;
    process.kill(child.pid, 'SIGTERM');
    expect(await child.exited).toBe(0);
    pipeline = undefined;
    expect(await infra.store.exists(pipelineReportsKey(prefix))).toBe(0);
    // Within the collector's cache of the reports (about a second).
    await eventually('/v1/degradation to count the stopped pipeline silent', async () => (await degradation()).parts.pipeline?.reason === 'pipeline_silent');
    expect(await degradation()).toMatchObject({ level: 'popularity', parts: { pipeline: { level: 'popularity', reason: 'pipeline_silent' } } });
  });

  it('does not count what a restarted pipeline applied before as lag: new records only', async () => {
    pipeline = startPipelineChild(infra, { name: 'pipeline', prefix, logName: 'pipeline-restarted.log', env: { PIPELINE_DEGRADE_POLICY: JSON.stringify(POLICY) } });
    const child = pipeline;
    probes = await readyProbes(child, 'the restarted pipeline');
    const visitor = newVisitor();
    await infra.producer.send({ topic: topics.events, acks: -1, messages: [pageView(visitor), productClick(visitor, 'sku-1', 'kitchen')].map((e) => encodeEventRecord(e, { siteKey: 'demo-site-key', receivedAt: Date.now(), ingestedAt: Date.now() })) });
    await eventually('the restarted pipeline to apply the new records', caughtUp, 60_000);
    await eventually('/v1/degradation to follow the restarted pipeline', async () => (await degradation()).parts.pipeline?.reason === undefined, 60_000);
    // The backlog of the first run is minutes old: had the restart counted it, the level would have left full.
    expect(await sample('sessionflow_pipeline_degradation_level', { level: 'full' })).toBe(1);
    expect((await (await fetch(`${probes}/metrics`)).text()).match(/^sessionflow_pipeline_degradation_changes_total\{/m)).toBeNull();
    expect(readFileSync(child.logFile, 'utf8')).not.toContain('the pipeline degradation level changed');
  });
});

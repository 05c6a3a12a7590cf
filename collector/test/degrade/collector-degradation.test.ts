import { topicNames, type DegradePolicy } from '@sessionflow/core';
import { Summary } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCollectorApp } from '../../src/app.js';
import { collectorSignals, defaultCollectorPolicy, startCollectorLevel, summaryP99Ms } from '../../src/degrade/collector-level.js';
import { degradation } from '../../src/degrade/degradation.js';
import { LevelKeeper } from '../../src/degrade/level-keeper.js';
import { NO_PIPELINE, pipelineWatch } from '../../src/degrade/pipeline-watch.js';
import { ProduceBatcher, type SendBatch } from '../../src/ingest/batcher.js';
import { createLogger } from '../../src/log.js';
import { createCollectorMetrics, type CollectorMetrics } from '../../src/metrics.js';
import type { RecordSink } from '../../src/ingest/sink.js';
import { ADMIN_SECRET, CATALOG_SECRET, crypto, envelope, FakeProbe, FakeSink, NOW, pageView, SECRET, signedHeaders } from '../fakes.js';
import type { Degradation } from '../../src/degrade/degradation.js';

const READ_SECRET = 'test-read-secret';
const quiet = createLogger('error', () => undefined);

function app(o: { sink?: RecordSink; metrics?: CollectorMetrics; degradation?: Degradation; now?: () => number } = {}) {
  const metrics = o.metrics ?? createCollectorMetrics({ defaultMetrics: false });
  const hono = createCollectorApp({
    config: { relaySecret: SECRET, readSecret: READ_SECRET, catalogSecret: CATALOG_SECRET, adminSecret: ADMIN_SECRET, bodyLimitBytes: 64 * 1024, produceTimeoutMs: 60_000 },
    topics: topicNames('test'),
    sink: o.sink ?? new FakeSink(),
    readiness: new FakeProbe(),
    metrics,
    crypto,
    now: o.now ?? (() => NOW),
    logger: quiet,
    ...(o.degradation ? { degradation: o.degradation } : {}),
  });
  const ingest = async (events: unknown[], extra: Record<string, unknown> = {}) => {
    const body = JSON.stringify(envelope(events, extra));
    return hono.request('/v1/ingest', { method: 'POST', body, headers: await signedHeaders(body) });
  };
  return { hono, metrics, ingest };
}

/** A Kafka that takes sends and acknowledges none until told. */
function stalledKafka() {
  const sent: string[] = [];
  const acks: (() => void)[] = [];
  const send: SendBatch = (topicMessages) => {
    for (const t of topicMessages) for (const m of t.messages) sent.push(m.value);
    return new Promise((resolve) => acks.push(() => resolve(undefined)));
  };
  return { send, sent, ackAll: () => acks.splice(0).forEach((ack) => ack()) };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Resolves once `holds` does, looking at every turn of the event loop, or never once `cancelled` says so. */
async function until(holds: () => boolean, cancelled: () => boolean): Promise<void> {
  while (!holds()) {
    if (cancelled()) return new Promise<void>(() => undefined);
    await tick();
  }
}

describe('ingest answers 503 before it would take more than it may hold', () => {
  it('refuses with 503 and Retry-After once the bytes waiting and in flight would pass COLLECTOR_MAX_PENDING_BYTES, and takes nothing of that batch', async () => {
    const kafka = stalledKafka();
    const batcher = new ProduceBatcher(kafka.send, { maxPendingBytes: 4_000 });
    const { ingest } = app({ sink: batcher });
    // Each batch is a few hundred bytes of records: the first goes in flight and hangs, the next ones wait.
    const answers: Promise<Response>[] = [];
    const taken: string[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 40 && refused === undefined; i++) {
      const event = pageView(`anon-${String(i).padStart(8, '0')}`);
      const before = batcher.pendingBytes;
      let answered = false;
      const answer = ingest([event]).finally(() => (answered = true));
      // Either the batch was taken (the pending bytes grew, its answer waits for Kafka) or it was answered.
      const settled = await Promise.race([answer, until(() => batcher.pendingBytes > before, () => answered).then(() => undefined)]);
      if (settled !== undefined) refused = settled;
      else {
        answers.push(answer);
        taken.push(event['eventId'] as string);
      }
    }
    expect(refused?.status).toBe(503);
    expect(refused?.headers.get('retry-after')).toBe('1');
    const body = (await refused?.json()) as { error: string; message: string };
    expect(body.error).toBe('overloaded');
    expect(body.message).toContain('COLLECTOR_MAX_PENDING_BYTES');
    expect(batcher.pendingBytes).toBeLessThanOrEqual(4_000);
    expect(taken.length).toBeGreaterThan(1);
    // Kafka comes back: every batch taken is acknowledged, and nothing of the refused one was ever sent.
    for (let i = 0; i < 10 && kafka.sent.length < taken.length; i++) {
      kafka.ackAll();
      await tick();
    }
    kafka.ackAll();
    expect((await Promise.all(answers)).map((r) => r.status)).toEqual(taken.map(() => 202));
    expect(kafka.sent.map((v) => (JSON.parse(v) as { eventId: string }).eventId)).toEqual(taken);
  });
});

describe("the edge's level, as it reports it with a batch", () => {
  it('is exported as sessionflow_edge_degradation_level{level}, the latest report winning', async () => {
    const { ingest, hono } = app();
    expect(await (await hono.request('/metrics')).text()).not.toContain('sessionflow_edge_degradation_level{');
    await ingest([pageView('anon-00000001')], { edge: { outboxDepth: 3, decideMs: 1, level: 'live_only' } });
    let text = await (await hono.request('/metrics')).text();
    expect(text).toContain('sessionflow_edge_degradation_level{level="live_only"} 1');
    expect(text).toContain('sessionflow_edge_degradation_level{level="full"} 0');
    await ingest([pageView('anon-00000002')], { edge: { outboxDepth: 1, decideMs: 1, level: 'full' } });
    text = await (await hono.request('/metrics')).text();
    expect(text).toContain('sessionflow_edge_degradation_level{level="full"} 1');
    expect(text).toContain('sessionflow_edge_degradation_level{level="live_only"} 0');
    // An edge that reports no level leaves the last one.
    await ingest([pageView('anon-00000003')], { edge: { outboxDepth: 1, decideMs: 1 } });
    expect(await (await hono.request('/metrics')).text()).toContain('sessionflow_edge_degradation_level{level="full"} 1');
  });

  it('refuses a level that is not one, naming the field', async () => {
    const { ingest } = app();
    const answer = await ingest([pageView('anon-00000001')], { edge: { outboxDepth: 3, decideMs: 1, level: 'degraded' } });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { field: string }).field).toBe('edge.level');
  });
});

describe("the collector's own level", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts the wait of a send Kafka has not acknowledged yet as produce latency', async () => {
    const signals = await collectorSignals({ recentProduceP99Ms: () => Promise.resolve(12), unacknowledgedForMs: () => 1_800, pendingBytes: () => 5_000 });
    expect(signals).toEqual({ produce_p99_ms: 1_800, pending_bytes: 5_000 });
    expect((await collectorSignals({ recentProduceP99Ms: () => Promise.resolve(40), unacknowledgedForMs: () => 0, pendingBytes: () => 0 }))['produce_p99_ms']).toBe(40);
  });

  it('takes the p99 of the recent sends only: slow sends older than the window no longer count', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
    const summary = new Summary({ name: 'recent', help: 'x', percentiles: [0.5, 0.99], maxAgeSeconds: 10, ageBuckets: 5, registers: [] });
    expect(await summaryP99Ms(summary)).toBe(0);
    for (let i = 0; i < 99; i++) summary.observe(0.005);
    summary.observe(2);
    expect(await summaryP99Ms(summary)).toBeGreaterThan(1_000);
    vi.setSystemTime(NOW + 11_000);
    for (let i = 0; i < 100; i++) summary.observe(0.005);
    expect(await summaryP99Ms(summary)).toBeCloseTo(5, 0);
  });

  it('follows the default policy through pending bytes and produce latency, in /metrics with its changes', async () => {
    const metrics = createCollectorMetrics({ defaultMetrics: false });
    const policy: DegradePolicy = { ...defaultCollectorPolicy(1_000), recoverAfterMs: 3_000 };
    const keeper = new LevelKeeper(policy, metrics.level, NOW);
    const step = (at: number, produce: number, pending: number) => keeper.step({ produce_p99_ms: produce, pending_bytes: pending }, NOW + at).level;
    expect([step(0, 5, 0), step(1_000, 300, 0), step(2_000, 300, 260), step(3_000, 50, 600), step(4_000, 50, 200), step(5_000, 50, 0)]).toEqual([
      'full',
      'popularity',
      'live_only',
      'data_only',
      'data_only', // 200 is below data_only's exit (250): its calm starts (live_only's, 125, still holds)
      'data_only',
    ]);
    expect([step(7_000, 50, 0), step(8_000, 50, 0), step(10_000, 50, 0), step(13_000, 50, 0)]).toEqual(['live_only', 'live_only', 'popularity', 'full']);
    const text = await metrics.registry.metrics();
    expect(text).toContain('sessionflow_collector_degradation_level{level="full"} 1');
    expect(text).toContain('sessionflow_collector_degradation_level{level="data_only"} 0');
    expect(text).toContain('sessionflow_collector_degradation_changes_total{from="live_only",to="data_only"} 1');
    expect(text).toContain('sessionflow_collector_degradation_changes_total{from="popularity",to="full"} 1');
  });

  it('is stepped every period from its gauges until stopped', async () => {
    const metrics = createCollectorMetrics({ defaultMetrics: false });
    const keeper = new LevelKeeper(defaultCollectorPolicy(1_000), metrics.level, NOW);
    let pending = 900;
    const level = startCollectorLevel({ keeper, gauges: { recentProduceP99Ms: () => Promise.resolve(0), unacknowledgedForMs: () => 0, pendingBytes: () => pending }, everyMs: 10, logger: quiet });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(level.current()).toMatchObject({ level: 'data_only', reason: 'pending_bytes' });
    level.stop();
    pending = 0;
    const before = level.current();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(level.current()).toBe(before);
  });
});

describe('GET /v1/degradation', () => {
  const read = { authorization: `Bearer ${READ_SECRET}` };
  const reportsStore = (hash: Record<string, string>) => ({ hGetAll: () => Promise.resolve(hash) });

  it('takes the read secret and no other', async () => {
    const { hono } = app({ degradation: degradation(() => ({ level: 'full', reason: undefined }), NO_PIPELINE) });
    expect((await hono.request('/v1/degradation')).status).toBe(401);
    expect((await hono.request('/v1/degradation', { headers: { authorization: `Bearer ${ADMIN_SECRET}` } })).status).toBe(403);
    expect((await hono.request('/v1/degradation', { headers: read })).status).toBe(200);
  });

  it('answers the collector alone, with pipeline null, for a stack without a pipeline', async () => {
    const { hono } = app({ degradation: degradation(() => ({ level: 'live_only', reason: 'produce_p99_ms' }), pipelineWatch(reportsStore({}), 'test', quiet)) });
    const answer = await hono.request('/v1/degradation', { headers: read });
    expect(await answer.json()).toEqual({ level: 'live_only', parts: { collector: { level: 'live_only', reason: 'produce_p99_ms' }, pipeline: null } });
  });

  it("answers the worst of the collector's level and the pipeline's report", async () => {
    const hash = { one: JSON.stringify({ level: 'popularity', reason: 'lag_s', lagS: 6.2, at: NOW - 1_000 }) };
    const { hono } = app({ degradation: degradation(() => ({ level: 'full', reason: undefined }), pipelineWatch(reportsStore(hash), 'test', quiet)) });
    const answer = await hono.request('/v1/degradation', { headers: read });
    expect(await answer.json()).toEqual({ level: 'popularity', parts: { collector: { level: 'full' }, pipeline: { level: 'popularity', reason: 'lag_s', lagS: 6.2, at: NOW - 1_000 } } });
  });

  it('counts a pipeline whose report went stale as popularity, pipeline_silent', async () => {
    let now = NOW;
    const hash = { one: JSON.stringify({ level: 'full', reason: null, lagS: 0, at: NOW }) };
    const { hono } = app({ now: () => now, degradation: degradation(() => ({ level: 'full', reason: undefined }), pipelineWatch(reportsStore(hash), 'test', quiet)) });
    expect(((await (await hono.request('/v1/degradation', { headers: read })).json()) as { level: string }).level).toBe('full');
    now = NOW + 10_500;
    expect(await (await hono.request('/v1/degradation', { headers: read })).json()).toEqual({
      level: 'popularity',
      parts: { collector: { level: 'full' }, pipeline: { level: 'popularity', reason: 'pipeline_silent', at: NOW } },
    });
  });

  it('answers 503 from an app built without it', async () => {
    const { hono } = app();
    const answer = await hono.request('/v1/degradation', { headers: read });
    expect(answer.status).toBe(503);
    expect(((await answer.json()) as { error: string }).error).toBe('degradation_unavailable');
  });
});

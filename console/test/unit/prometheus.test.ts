import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MetricsSampler } from '../../src/health/sampler.js';
import { eventRates, histogramDelta, histogramQuantile, parsePrometheus, readMetrics } from '../../src/health/prometheus.js';
import { withReasons } from '../../src/health/degradation.js';

/** Metrics written by prom-client, the library the collector and the pipeline use. */
function registry() {
  const registry = new Registry();
  const byType = new Counter({ name: 'sf_collector_events_by_type_total', help: 'x', labelNames: ['type'], registers: [registry] });
  const produce = new Histogram({ name: 'sessionflow_collector_produce_duration_seconds', help: 'x', labelNames: ['result'], buckets: [0.001, 0.01, 0.1], registers: [registry] });
  const decide = new Histogram({ name: 'sf_edge_decide_seconds', help: 'x', buckets: [0.001, 0.002, 0.005], registers: [registry] });
  const outbox = new Gauge({ name: 'sf_edge_outbox_depth', help: 'x', registers: [registry] });
  const lag = new Gauge({ name: 'sessionflow_pipeline_lag_records', help: 'x', labelNames: ['stage', 'topic', 'partition'], registers: [registry] });
  return { registry, byType, produce, decide, outbox, lag };
}

describe('Prometheus text', () => {
  it('reads events by type, the produce histogram per label, the edge figures and the lag rows', async () => {
    const m = registry();
    m.byType.inc({ type: 'page_view' }, 30);
    m.byType.inc({ type: 'decision' }, 6);
    m.produce.observe({ result: 'ok' }, 0.005);
    m.produce.observe({ result: 'ok' }, 0.05);
    m.produce.observe({ result: 'error' }, 5); // failed sends are not latency of acknowledged writes
    m.decide.observe(0.0015);
    m.outbox.set(4);
    m.lag.set({ stage: 'sessions', topic: 'sf.events', partition: '1' }, 7);
    m.lag.set({ stage: 'identity', topic: 'sf.events', partition: '0' }, 2);
    m.lag.set({ stage: 'sessions', topic: 'sf.events', partition: '0' }, 3);
    const text = await m.registry.metrics();
    const reading = readMetrics(await parsePrometheus(text), await parsePrometheus(text), 1000);
    expect(reading.eventsByType).toEqual({ page_view: 30, decision: 6 });
    expect(reading.produce?.count).toBe(2);
    expect(reading.produce?.buckets).toEqual([[0.001, 0], [0.01, 1], [0.1, 2], [Infinity, 2]]);
    expect(reading.decide?.count).toBe(1);
    expect(reading.outbox).toEqual({ gauge: 4 });
    expect(reading.lag).toEqual([
      { stage: 'identity', topic: 'sf.events', partition: '0', lag: 2 },
      { stage: 'sessions', topic: 'sf.events', partition: '0', lag: 3 },
      { stage: 'sessions', topic: 'sf.events', partition: '1', lag: 7 },
    ]);
  });

  it("reads each part's degradation level from its gauge: the edge's and the collector's from the collector, the pipeline's from the pipeline", async () => {
    const collector = new Registry();
    const pipeline = new Registry();
    const gauge = (registry: Registry, part: string) => new Gauge({ name: `sessionflow_${part}_degradation_level`, help: 'x', labelNames: ['level'], registers: [registry] });
    const levels = ['full', 'popularity', 'live_only', 'data_only'];
    const show = (g: Gauge<'level'>, level: string) => levels.forEach((l) => g.set({ level: l }, l === level ? 1 : 0));
    show(gauge(collector, 'collector'), 'live_only');
    show(gauge(collector, 'edge'), 'data_only');
    show(gauge(pipeline, 'pipeline'), 'popularity');
    const reading = readMetrics(await parsePrometheus(await collector.metrics()), await parsePrometheus(await pipeline.metrics()), 0);
    expect(reading.degradation).toEqual({ edge: 'data_only', collector: 'live_only', pipeline: 'popularity' });
    // Not exported (an older collector, an edge that never reported one, a pipeline that could not be read): null.
    expect(readMetrics(await parsePrometheus(await pipeline.metrics()), null, 0).degradation).toEqual({ edge: null, collector: null, pipeline: null });
  });

  it('reads the sessionflow_ spelling of a contract metric as well', async () => {
    const registry = new Registry();
    new Counter({ name: 'sessionflow_collector_events_by_type_total', help: 'x', labelNames: ['type'], registers: [registry] }).inc({ type: 'click' }, 3);
    const reading = readMetrics(await parsePrometheus(await registry.metrics()), null, 0);
    expect(reading.eventsByType).toEqual({ click: 3 });
    expect(reading.lag).toEqual([]);
  });

  it('turns two scrapes into events per second, starting again after a counter reset', () => {
    const base = { produce: null, decide: null, outbox: null, lag: [], degradation: { edge: null, collector: null, pipeline: null } };
    const before = { ...base, at: 10_000, eventsByType: { page_view: 100, click: 50 } };
    const after = { ...base, at: 12_000, eventsByType: { page_view: 130, click: 10, track: 4 } };
    expect(eventRates(before, after)).toEqual({ page_view: 15, click: 5, track: 2 });
  });

  it('estimates quantiles of the observations between two scrapes the way histogram_quantile does', () => {
    const before = { buckets: [[0.01, 10], [0.1, 10], [Infinity, 10]] as [number, number][], count: 10, sum: 0.05 };
    const after = { buckets: [[0.01, 10], [0.1, 20], [Infinity, 20]] as [number, number][], count: 20, sum: 0.6 };
    const delta = histogramDelta(before, after);
    expect(delta?.buckets).toEqual([[0.01, 0], [0.1, 10], [Infinity, 10]]);
    expect(delta?.count).toBe(10);
    expect(delta?.sum).toBeCloseTo(0.55, 10);
    // All ten new observations fall in (0.01, 0.1]: the median is halfway through it.
    expect(histogramQuantile(delta, 0.5)).toBeCloseTo(0.055, 10);
    expect(histogramQuantile(delta, 0.99)).toBeCloseTo(0.0991, 10);
    expect(histogramQuantile({ buckets: [[0.1, 0], [Infinity, 3]], count: 3, sum: 9 }, 0.5)).toBe(0.1);
    expect(histogramQuantile({ buckets: [], count: 0, sum: 0 }, 0.5)).toBeNull();
  });

  it('samples rates and interval latencies over successive scrapes, and says when a scrape failed', async () => {
    const m = registry();
    let now = 0;
    let pipelineUp = true;
    const sampler = new MetricsSampler({
      scrapeCollector: () => m.registry.metrics(),
      scrapePipeline: async () => {
        if (!pipelineUp) throw new Error('connect ECONNREFUSED');
        return m.registry.metrics();
      },
      now: () => now,
    });
    m.byType.inc({ type: 'page_view' }, 10);
    await sampler.sample();
    now = 2000;
    m.byType.inc({ type: 'page_view' }, 8);
    m.produce.observe({ result: 'ok' }, 0.005);
    pipelineUp = false;
    const picture = await sampler.sample();
    expect(picture.eventsPerSecond).toEqual({ page_view: 4 });
    expect(picture.eventsPerSecondHistory.t).toEqual([0, 2]);
    expect(picture.eventsPerSecondHistory.lines['page_view']).toEqual([null, 4]);
    expect(picture.health.produce?.count).toBe(1);
    expect(picture.health.produce?.p50).toBeCloseTo(0.0055, 10);
    expect(picture.health.scrapes).toEqual({ collector: 'ok', pipeline: 'error' });
    expect(picture.health.problems).toEqual(['pipeline /metrics: connect ECONNREFUSED']);

    // A quiet scrape: the chart shows a gap, the headline keeps the last minute's figures.
    now = 3000;
    const quiet = await sampler.sample();
    expect(quiet.health.produceHistory.lines['p50']?.at(-1)).toBeNull();
    expect(quiet.health.produce?.count).toBe(1);
    // Past the window, the observation has left the headline too.
    now = 70_000;
    await sampler.sample();
    now = 71_000;
    expect((await sampler.sample()).health.produce?.count).toBe(0);
  });
});

describe("each part's level with the reason the collector gives", () => {
  const gauges = { edge: { level: 'popularity' }, collector: { level: 'live_only' }, pipeline: { level: 'popularity' } };

  it("adds the collector's reasons to the gauges' levels, and leaves the edge's without one", () => {
    const answer = { level: 'live_only', parts: { collector: { level: 'live_only', reason: 'pending_bytes' }, pipeline: { level: 'popularity', reason: 'lag_s', lagS: 6 } } };
    expect(withReasons(gauges, answer)).toEqual({ edge: { level: 'popularity' }, collector: { level: 'live_only', reason: 'pending_bytes' }, pipeline: { level: 'popularity', reason: 'lag_s' } });
  });

  it("keeps the gauge's level without a reason where the two disagree, and the gauges alone without an answer", () => {
    const answer = { level: 'live_only', parts: { collector: { level: 'full' }, pipeline: { level: 'live_only', reason: 'lag_s' } } };
    expect(withReasons(gauges, answer)).toEqual({ edge: { level: 'popularity' }, collector: { level: 'live_only' }, pipeline: { level: 'popularity' } });
    expect(withReasons(gauges, null)).toEqual(gauges);
  });

  it("shows a silent pipeline as the collector counts it, whether or not its own metrics answer", () => {
    const silent = { level: 'popularity', parts: { collector: { level: 'full' }, pipeline: { level: 'popularity', reason: 'pipeline_silent', at: 1 } } };
    expect(withReasons({ ...gauges, pipeline: null }, silent).pipeline).toEqual({ level: 'popularity', reason: 'pipeline_silent' });
    expect(withReasons({ ...gauges, pipeline: { level: 'full' } }, silent).pipeline).toEqual({ level: 'popularity', reason: 'pipeline_silent' });
    // A stack without a pipeline: nothing to show.
    expect(withReasons({ edge: null, collector: null, pipeline: null }, { level: 'full', parts: { collector: { level: 'full' }, pipeline: null } })).toEqual({ edge: null, collector: { level: 'full' }, pipeline: null });
  });
});

/**
 * Scrapes the collector's and the pipeline's /metrics on a cadence and keeps what the Now and Health
 * pages chart: events per second by type, produce and decide latency, lag, the latest outbox depth,
 * each as a bounded series in memory (the last `historyPoints` scrapes).
 */
import type { HealthFeed, Quantiles, Series } from '../shared/feeds.js';
import { eventRates, histogramDelta, histogramQuantile, parsePrometheus, readMetrics, type HistogramTotals, type MetricsReading, type PromMetrics } from './prometheus.js';
import { RingSeries } from './ring-series.js';

const NOTHING_REPORTED: MetricsReading['degradation'] = { edge: null, collector: null, pipeline: null };

export interface MetricsSamplerOptions {
  scrapeCollector: () => Promise<string>;
  scrapePipeline: () => Promise<string>;
  now?: () => number;
  historyPoints?: number;
  /** The window of the headline latencies (as a Prometheus query's `[1m]`); default a minute. */
  windowMs?: number;
}

export interface MetricsPicture {
  at: number;
  eventsPerSecond: Record<string, number>;
  eventsPerSecondHistory: Series;
  health: Omit<HealthFeed, 'at'>;
}

export class MetricsSampler {
  private previous: MetricsReading | undefined;
  /** The good collector readings of the last `windowMs`, oldest first. */
  private window: MetricsReading[] = [];
  private readonly windowMs: number;
  private readonly eventsHistory: RingSeries;
  private readonly lagHistory: RingSeries;
  private readonly produceHistory: RingSeries;
  private readonly decideHistory: RingSeries;
  private picture: MetricsPicture;
  private readonly now: () => number;

  constructor(private readonly opts: MetricsSamplerOptions) {
    const points = opts.historyPoints ?? 300;
    this.now = opts.now ?? Date.now;
    this.windowMs = opts.windowMs ?? 60_000;
    this.eventsHistory = new RingSeries(points);
    this.lagHistory = new RingSeries(points);
    this.produceHistory = new RingSeries(points);
    this.decideHistory = new RingSeries(points);
    this.picture = this.compose(this.now(), {}, null, null, null, NOTHING_REPORTED, [], { collector: 'error', pipeline: 'error' }, ['no scrape yet']);
  }

  latest(): MetricsPicture {
    return this.picture;
  }

  /** One scrape of both; never throws (a failed scrape is a problem on the picture). */
  async sample(): Promise<MetricsPicture> {
    const problems: string[] = [];
    const [collector, pipeline] = await Promise.all([
      this.opts.scrapeCollector().then(parsePrometheus, (e: unknown) => failed(problems, 'collector /metrics', e)),
      this.opts.scrapePipeline().then(parsePrometheus, (e: unknown) => failed(problems, 'pipeline /metrics', e)),
    ]);
    const at = this.now();
    const reading = readMetrics(collector, pipeline, at);
    const before = this.previous;
    // A failed scrape has no counters: rates start again from the next good one.
    this.previous = collector === null ? undefined : reading;
    const rates = before !== undefined && collector !== null ? eventRates(before, reading) : {};
    // The chart gets each scrape's interval; the headline figures the whole window, so a quiet second does not blank them.
    const perScrape = (pick: (r: MetricsReading) => HistogramTotals | null) => quantiles(before && collector !== null ? histogramDelta(pick(before), pick(reading)) : null);
    this.window = collector === null ? [] : [...this.window.filter((r) => r.at >= at - this.windowMs), reading];
    const first = this.window.length > 1 ? this.window[0] : undefined;
    const overWindow = (pick: (r: MetricsReading) => HistogramTotals | null) => quantiles(first ? histogramDelta(pick(first), pick(reading)) : null);
    const produceNow = perScrape((r) => r.produce);
    const decideNow = perScrape((r) => r.decide);
    const produce = overWindow((r) => r.produce);
    const decide = overWindow((r) => r.decide);
    const outbox = reading.outbox === null ? null : 'gauge' in reading.outbox ? reading.outbox.gauge : mean(histogramDelta(before?.outbox && 'histogram' in before.outbox ? before.outbox.histogram : null, reading.outbox.histogram));
    if (collector !== null) {
      this.eventsHistory.push(at, rates);
      this.produceHistory.push(at, { p50: ms(produceNow?.p50), p99: ms(produceNow?.p99) });
      this.decideHistory.push(at, { p50: ms(decideNow?.p50), p99: ms(decideNow?.p99) });
    }
    if (pipeline !== null) {
      const byStage: Record<string, number> = {};
      for (const row of reading.lag) byStage[row.stage] = (byStage[row.stage] ?? 0) + row.lag;
      this.lagHistory.push(at, byStage);
    }
    this.picture = this.compose(at, rates, produce, decide, outbox, reading.degradation, reading.lag, { collector: collector ? 'ok' : 'error', pipeline: pipeline ? 'ok' : 'error' }, problems);
    return this.picture;
  }

  private compose(
    at: number,
    rates: Record<string, number>,
    produce: Quantiles | null,
    decide: Quantiles | null,
    outboxDepth: number | null,
    degradation: MetricsReading['degradation'],
    lag: MetricsReading['lag'],
    scrapes: HealthFeed['scrapes'],
    problems: string[],
  ): MetricsPicture {
    return {
      at,
      eventsPerSecond: rates,
      eventsPerSecondHistory: this.eventsHistory.toJSON(),
      health: {
        lag,
        lagHistory: this.lagHistory.toJSON(),
        produce,
        produceHistory: this.produceHistory.toJSON(),
        outboxDepth,
        decide,
        decideHistory: this.decideHistory.toJSON(),
        degradation: {
          edge: degradation.edge === null ? null : { level: degradation.edge },
          collector: degradation.collector === null ? null : { level: degradation.collector },
          pipeline: degradation.pipeline === null ? null : { level: degradation.pipeline },
        },
        scrapes,
        problems,
      },
    };
  }
}

function failed(problems: string[], what: string, error: unknown): PromMetrics | null {
  problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  return null;
}

function quantiles(h: HistogramTotals | null): Quantiles | null {
  if (h === null) return null;
  return { p50: histogramQuantile(h, 0.5), p99: histogramQuantile(h, 0.99), count: h.count };
}

function mean(h: HistogramTotals | null): number | null {
  return h === null || h.count <= 0 ? null : h.sum / h.count;
}

const ms = (seconds: number | null | undefined): number | null => (seconds === null || seconds === undefined ? null : seconds * 1000);

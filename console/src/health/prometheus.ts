/**
 * Prometheus text → the figures the console shows. Parsing is prom2javascript's (it keeps the labels
 * of every histogram series, which parse-prometheus-text-format folds away); this file only picks
 * the series by name and turns two scrapes into rates and interval quantiles.
 *
 * Names: issue 13's contract (part A) names the new collector metrics `sf_collector_events_by_type_total`,
 * `sf_edge_outbox_depth` and `sf_edge_decide_seconds`; the collector's older metrics are
 * `sessionflow_*`. Each figure is looked up under both prefixes, so either spelling is read.
 */
import { getMetricsFromIterator, type PromHistogramData, type PromData, type PromMetrics } from 'prom2javascript';

export type { PromMetrics };

export async function parsePrometheus(text: string): Promise<PromMetrics> {
  return getMetricsFromIterator(text.split('\n')[Symbol.iterator]());
}

/** A histogram's cumulative buckets (upper bound → count), summed over the series chosen. */
export interface HistogramTotals {
  buckets: [number, number][];
  count: number;
  sum: number;
}

export interface LagRow {
  stage: string;
  topic: string;
  partition: string;
  lag: number;
}

/** What one scrape of the collector and one of the pipeline say, as totals (counters are cumulative). */
export interface MetricsReading {
  /** Epoch ms of the scrape. */
  at: number;
  eventsByType: Record<string, number>;
  produce: HistogramTotals | null;
  decide: HistogramTotals | null;
  /** A gauge's latest value, or a histogram's totals (the contract allows either). */
  outbox: { gauge: number } | { histogram: HistogramTotals } | null;
  lag: LagRow[];
  /** The level each part's gauge `…_<part>_degradation_level{level}` holds at 1 (the edge's as the collector last heard it). */
  degradation: { edge: string | null; collector: string | null; pipeline: string | null };
}

const names = (suffix: string): string[] => [`sf_${suffix}`, `sessionflow_${suffix}`];

function family(metrics: PromMetrics | null, suffix: string): PromMetrics[string] | undefined {
  if (metrics === null) return undefined;
  for (const name of names(suffix)) if (metrics[name] !== undefined) return metrics[name];
  return undefined;
}

function histogram(metrics: PromMetrics | null, suffix: string, keep: (labels: Record<string, string>) => boolean = () => true): HistogramTotals | null {
  const fam = family(metrics, suffix);
  if (fam === undefined || fam.type !== 'histogram') return null;
  const byBound = new Map<number, number>();
  let count = 0;
  let sum = 0;
  for (const series of fam.data as PromHistogramData[]) {
    if (!keep(series.labels)) continue;
    count += series.count;
    sum += series.sum ?? 0;
    for (const [le, n] of Object.entries(series.buckets)) {
      const bound = le === '+Inf' ? Infinity : Number(le);
      byBound.set(bound, (byBound.get(bound) ?? 0) + n);
    }
  }
  return { buckets: [...byBound.entries()].sort((a, b) => a[0] - b[0]), count, sum };
}

/** Reads the figures out of parsed scrapes; a scrape that failed is null and its figures are absent. */
export function readMetrics(collector: PromMetrics | null, pipeline: PromMetrics | null, at: number): MetricsReading {
  const eventsByType: Record<string, number> = {};
  const byType = family(collector, 'collector_events_by_type_total');
  for (const series of (byType?.data ?? []) as PromData[]) {
    const type = series.labels['type'] ?? 'unknown';
    eventsByType[type] = (eventsByType[type] ?? 0) + series.value;
  }
  const lagFamily = family(pipeline, 'pipeline_lag_records');
  const lag = ((lagFamily?.data ?? []) as PromData[]).map((s) => ({
    stage: s.labels['stage'] ?? '',
    topic: s.labels['topic'] ?? '',
    partition: s.labels['partition'] ?? '',
    lag: s.value,
  }));
  lag.sort((a, b) => a.stage.localeCompare(b.stage) || a.topic.localeCompare(b.topic) || Number(a.partition) - Number(b.partition));
  const outboxFamily = family(collector, 'edge_outbox_depth');
  let outbox: MetricsReading['outbox'] = null;
  if (outboxFamily?.type === 'histogram') outbox = { histogram: histogram(collector, 'edge_outbox_depth') as HistogramTotals };
  else if (outboxFamily !== undefined && outboxFamily.data.length > 0) outbox = { gauge: Math.max(...(outboxFamily.data as PromData[]).map((s) => s.value)) };
  return {
    at,
    eventsByType,
    produce: histogram(collector, 'collector_produce_duration_seconds', (labels) => labels['result'] !== 'error'),
    decide: histogram(collector, 'edge_decide_seconds'),
    outbox,
    lag,
    degradation: {
      edge: levelIn(collector, 'edge_degradation_level'),
      collector: levelIn(collector, 'collector_degradation_level'),
      pipeline: levelIn(pipeline, 'pipeline_degradation_level'),
    },
  };
}

/** The `level` label of the series at 1 of a level gauge (1 for the level in force, 0 for the others); null when none is. */
function levelIn(metrics: PromMetrics | null, suffix: string): string | null {
  const inForce = ((family(metrics, suffix)?.data ?? []) as PromData[]).find((s) => s.value > 0);
  return inForce?.labels['level'] ?? null;
}

/** Per type, events per second between two readings (a counter reset counts from zero). */
export function eventRates(before: MetricsReading, after: MetricsReading): Record<string, number> {
  const seconds = (after.at - before.at) / 1000;
  const out: Record<string, number> = {};
  if (seconds <= 0) return out;
  for (const [type, total] of Object.entries(after.eventsByType)) {
    const prior = before.eventsByType[type] ?? 0;
    out[type] = (total >= prior ? total - prior : total) / seconds;
  }
  return out;
}

/** The observations made between two readings of a histogram (after − before; a reset keeps `after`). */
export function histogramDelta(before: HistogramTotals | null, after: HistogramTotals | null): HistogramTotals | null {
  if (after === null) return null;
  if (before === null || after.count < before.count) return after;
  const prior = new Map(before.buckets);
  return {
    buckets: after.buckets.map(([le, n]) => [le, n - (prior.get(le) ?? 0)]),
    count: after.count - before.count,
    sum: after.sum - before.sum,
  };
}

/**
 * The q-quantile of a histogram the way Prometheus' histogram_quantile estimates it: linear
 * within the bucket the rank falls in; the upper bound of the last finite bucket when it falls in +Inf.
 * Null without observations.
 */
export function histogramQuantile(h: HistogramTotals | null, q: number): number | null {
  if (h === null || h.count <= 0) return null;
  const rank = q * h.count;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [le, cumulative] of h.buckets) {
    if (cumulative >= rank) {
      if (le === Infinity) return lowerBound;
      const inBucket = cumulative - lowerCount;
      return inBucket <= 0 ? le : lowerBound + ((le - lowerBound) * (rank - lowerCount)) / inBucket;
    }
    lowerBound = le;
    lowerCount = cumulative;
  }
  return lowerBound;
}

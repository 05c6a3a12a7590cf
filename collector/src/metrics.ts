/**
 * The collector's Prometheus metrics, on a registry of its own so several
 * collectors (tests, benchmarks) can live in one process.
 */
import { Counter, Gauge, Histogram, Registry, Summary, collectDefaultMetrics } from 'prom-client';
import { levelGauge, levelMetrics, type LevelMetrics } from './degrade/level-metrics.js';

/** The window of `produceRecent`: what "recent" means for the collector's `produce_p99_ms` signal. */
export const RECENT_PRODUCE_WINDOW_S = 10;

export type ErrorKind =
  | 'body_too_large'
  | 'bad_signature'
  | 'invalid_json'
  | 'invalid_envelope'
  | 'kafka_unavailable'
  | 'kafka_timeout'
  | 'overloaded'
  | 'shutting_down'
  | 'invalid_catalog'
  | 'unauthorized'
  | 'wrong_scope'
  | 'bad_request'
  | 'read_store_unavailable'
  | 'internal';

export interface CollectorMetrics {
  registry: Registry;
  httpRequests: Counter<'route' | 'status'>;
  events: Counter<'outcome'>;
  produceDuration: Histogram<'result'>;
  produceBatchRecords: Histogram;
  errors: Counter<'kind'>;
  /** Accepted records by type: the event types and `decision` (a fixed set, core's EVENT_TYPES). */
  eventsByType: Counter<'type'>;
  /** The outbox depth the edge reported with the latest batch (of whichever visitor). */
  edgeOutboxDepth: Gauge;
  /** How long the edge's visitor object took to decide a batch, as it reported. */
  edgeDecideSeconds: Histogram;
  /** Produce time over the last RECENT_PRODUCE_WINDOW_S seconds (a sliding window): the collector's degradation signal. */
  produceRecent: Summary;
  /** The collector's degradation level and its changes. */
  level: LevelMetrics;
  /** The degradation level the edge reported with the latest relayed batch (of whichever visitor). */
  edgeLevel: Gauge<'level'>;
}

export function createCollectorMetrics(options: { defaultMetrics?: boolean } = {}): CollectorMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'sessionflow_collector_http_requests_total',
      help: 'HTTP requests answered, by route and status.',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    events: new Counter({
      name: 'sessionflow_collector_events_total',
      help: 'Events written to Kafka: accepted to the events topic, dead_lettered to the DLQ.',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    produceDuration: new Histogram({
      name: 'sessionflow_collector_produce_duration_seconds',
      help: 'Time from sending a batch to Kafka until it was acknowledged (or failed).',
      labelNames: ['result'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    produceBatchRecords: new Histogram({
      name: 'sessionflow_collector_produce_batch_records',
      help: 'Records per produce request: how well concurrent requests were coalesced.',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'sessionflow_collector_errors_total',
      help: 'Requests refused or failed, by kind.',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    eventsByType: new Counter({
      name: 'sf_collector_events_by_type_total',
      help: 'Records accepted to the events topic, by type: the event types, and decision (what the edge decided).',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    edgeOutboxDepth: new Gauge({
      name: 'sf_edge_outbox_depth',
      help: 'The visitor outbox depth the edge reported with the latest relayed batch (that batch included; 1 when nothing waits behind it).',
      registers: [registry],
    }),
    edgeDecideSeconds: new Histogram({
      name: 'sf_edge_decide_seconds',
      help: 'How long the edge took to decide a batch, as it reported (its clock moves only across I/O: this is mostly waits).',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    produceRecent: new Summary({
      name: 'sessionflow_collector_produce_recent_seconds',
      help: `Time from sending a batch to Kafka until it was acknowledged (or failed), over the last ${RECENT_PRODUCE_WINDOW_S} s: the p99 is the collector's produce_p99_ms degradation signal.`,
      percentiles: [0.5, 0.99],
      maxAgeSeconds: RECENT_PRODUCE_WINDOW_S,
      ageBuckets: 5,
      registers: [registry],
    }),
    level: levelMetrics(registry, 'collector'),
    edgeLevel: levelGauge(registry, 'edge', "The degradation level the edge reported with the latest relayed batch (of whichever visitor): 1 for that level, 0 for the others; absent until an edge reports one."),
  };
}

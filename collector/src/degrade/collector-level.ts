/**
 * The collector's own degradation level: from how long Kafka takes to acknowledge its sends
 * (`produce_p99_ms`) and how many bytes wait for Kafka (`pending_bytes`), stepped every second. The edge reads
 * it in `GET /v1/degradation` and sheds reads while the collector struggles: the reads (recommendations,
 * profiles) share the collector's process with ingest, and ingest is the data path.
 */
import type { DegradePolicy, LevelSignals, LevelState } from '@sessionflow/core';
import type { Logger } from '../log.js';
import { logLevelChange, type LevelKeeper } from './level-keeper.js';

export const COLLECTOR_SIGNALS = ['produce_p99_ms', 'pending_bytes'] as const;

/** How often the collector steps its level. */
export const COLLECTOR_LEVEL_EVERY_MS = 1_000;

/**
 * The default policy (`COLLECTOR_DEGRADE_POLICY` replaces it). Produce latency: slow acknowledgements first
 * make recommendations cheap (popularity), then drop profile reads; the produce timeout (5 s by default)
 * answers 503 beyond. Pending bytes, as shares of `COLLECTOR_MAX_PENDING_BYTES` (where ingest answers 503):
 * a quarter drops profile reads, half stops decisions, so the edge sends only data while the queue drains.
 */
export function defaultCollectorPolicy(maxPendingBytes: number): DegradePolicy {
  return {
    triggers: [
      { signal: 'produce_p99_ms', level: 'popularity', enter: 250, exit: 100 },
      { signal: 'produce_p99_ms', level: 'live_only', enter: 1_000, exit: 400 },
      { signal: 'pending_bytes', level: 'live_only', enter: Math.round(maxPendingBytes / 4), exit: Math.round(maxPendingBytes / 8) },
      { signal: 'pending_bytes', level: 'data_only', enter: Math.round(maxPendingBytes / 2), exit: Math.round(maxPendingBytes / 4) },
    ],
    recoverAfterMs: 10_000,
  };
}

export interface CollectorGauges {
  /** The p99 of the sends Kafka acknowledged over the recent window, milliseconds (0 without any). */
  recentProduceP99Ms(): Promise<number>;
  /** How long the send in flight has waited for Kafka (0 when none is). */
  unacknowledgedForMs(): number;
  /** Bytes handed to the batcher and not yet acknowledged: waiting and in flight. */
  pendingBytes(): number;
}

/**
 * The signals now. A send Kafka does not acknowledge adds no observation until it ends, so its wait so far
 * counts too: a Kafka that stopped answering raises `produce_p99_ms` while it happens, not afterwards.
 */
export async function collectorSignals(gauges: CollectorGauges): Promise<LevelSignals> {
  return {
    produce_p99_ms: Math.max(await gauges.recentProduceP99Ms(), gauges.unacknowledgedForMs()),
    pending_bytes: gauges.pendingBytes(),
  };
}

/** The p99 of a prom-client summary with a 0.99 percentile, in milliseconds (0 without observations). */
export async function summaryP99Ms(summary: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> }): Promise<number> {
  const p99 = (await summary.get()).values.find((v) => v.labels['quantile'] === 0.99)?.value ?? 0;
  return Number.isFinite(p99) ? p99 * 1000 : 0;
}

export interface CollectorLevel {
  current(): LevelState;
  stop(): void;
}

/** Steps `keeper` with the collector's signals every `everyMs`, until stopped. */
export function startCollectorLevel(o: { keeper: LevelKeeper; gauges: CollectorGauges; everyMs?: number; now?: () => number; logger: Logger }): CollectorLevel {
  const now = o.now ?? Date.now;
  let stepping = false;
  const timer = setInterval(() => {
    if (stepping) return;
    stepping = true;
    collectorSignals(o.gauges)
      .then((signals) => {
        const before = o.keeper.state.level;
        logLevelChange(o.logger, 'collector', before, o.keeper.step(signals, now()), { signals });
      })
      .catch((error: unknown) => o.logger.warn('measuring the collector degradation signals failed', { error }))
      .finally(() => (stepping = false));
  }, o.everyMs ?? COLLECTOR_LEVEL_EVERY_MS);
  timer.unref();
  return { current: () => o.keeper.state, stop: () => clearInterval(timer) };
}

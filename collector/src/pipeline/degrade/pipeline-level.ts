/**
 * The pipeline instance's degradation level: every second, each stage's lag in time (lag-clock.ts) into
 * `sessionflow_pipeline_lag_seconds{stage}`, the worst of them as the `lag_s` signal into its level
 * (../../degrade/level-keeper.ts), and the level published to Redis (../../degrade/pipeline-report.ts), where
 * the collector reads it for `GET /v1/degradation`.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { LevelState } from '@sessionflow/core';
import type { Logger } from '../../log.js';
import type { StoreClient } from '../../store/client.js';
import { logLevelChange, type LevelKeeper } from '../../degrade/level-keeper.js';
import { PUBLISH_REPORT_SCRIPT, REPORT_TTL_MS, WITHDRAW_REPORT_SCRIPT, pipelineReportsKey, type PipelineReport } from '../../degrade/pipeline-report.js';
import type { PipelineMetrics } from '../metrics.js';

/** How often the level is stepped and published. */
export const PIPELINE_LEVEL_EVERY_MS = 1_000;

export interface PipelineLevel {
  current(): LevelState;
  /** Stops stepping and removes this instance's report (a stopped instance is not a silent one). */
  stop(): Promise<void>;
}

export interface PipelineLevelOptions {
  keeper: LevelKeeper;
  metrics: Pick<PipelineMetrics, 'lagClocks' | 'lagSeconds'>;
  redis: Pick<StoreClient, 'runScript'>;
  topicPrefix: string;
  logger: Logger;
  everyMs?: number;
  now?: () => number;
}

/** One step: the stages' lags sampled into the gauge, the level stepped; the report to publish. */
export function stepPipelineLevel(o: Pick<PipelineLevelOptions, 'keeper' | 'metrics'>, now: number): PipelineReport {
  let worstS = 0;
  for (const stage of o.metrics.lagClocks.stages()) {
    const seconds = Math.max(0, o.metrics.lagClocks.of(stage).sample(now)) / 1000;
    o.metrics.lagSeconds.set({ stage }, seconds);
    worstS = Math.max(worstS, seconds);
  }
  const state = o.keeper.step({ lag_s: worstS }, now);
  return { level: state.level, reason: state.reason ?? null, lagS: Math.round(worstS * 1000) / 1000, at: now };
}

export function startPipelineLevel(o: PipelineLevelOptions): PipelineLevel {
  const now = o.now ?? Date.now;
  const key = pipelineReportsKey(o.topicPrefix);
  // This process's field in the reports' hash: several instances share the partitions, each tells of its own.
  const instance = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let failing = false;
  let publishing: Promise<unknown> = Promise.resolve();
  const tick = () => {
    const before = o.keeper.state.level;
    const report = stepPipelineLevel(o, now());
    logLevelChange(o.logger, 'pipeline', before, o.keeper.state, { lagS: report.lagS });
    publishing = o.redis
      .runScript(PUBLISH_REPORT_SCRIPT, [key], [instance, JSON.stringify(report), String(report.at), String(REPORT_TTL_MS)])
      .then(() => {
        if (failing) o.logger.info('the pipeline publishes its degradation level again');
        failing = false;
      })
      .catch((error: unknown) => {
        if (!failing) o.logger.warn('publishing the pipeline degradation level to Redis failed; the collector will count the pipeline silent until it works again', { error });
        failing = true;
      });
  };
  const timer = setInterval(tick, o.everyMs ?? PIPELINE_LEVEL_EVERY_MS);
  timer.unref();
  tick();
  return {
    current: () => o.keeper.state,
    stop: async () => {
      clearInterval(timer);
      await publishing;
      await o.redis.runScript(WITHDRAW_REPORT_SCRIPT, [key], [instance]).catch(() => undefined);
    },
  };
}

/**
 * The level a part is at, stepped by core's `nextLevelState` from the signals it measures, and shown in its
 * metrics: the shell around the pure policy (core/src/degrade), shared by the collector and the pipeline.
 */
import { initialLevelState, levelRank, nextLevelState, type DegradePolicy, type Level, type LevelSignals, type LevelState } from '@sessionflow/core';
import type { LogFields, Logger } from '../log.js';
import { showLevel, type LevelMetrics } from './level-metrics.js';

export class LevelKeeper {
  private current: LevelState;

  constructor(
    private readonly policy: DegradePolicy,
    private readonly metrics: LevelMetrics,
    now: number,
  ) {
    this.current = initialLevelState(now);
    showLevel(metrics.level, this.current.level);
  }

  get state(): LevelState {
    return this.current;
  }

  /** One step with the signals measured at `now`; a change of level is counted and shown. */
  step(signals: LevelSignals, now: number): LevelState {
    const next = nextLevelState(this.policy, this.current, signals, now);
    if (next.level !== this.current.level) {
      this.metrics.changes.inc({ from: this.current.level, to: next.level });
      showLevel(this.metrics.level, next.level);
    }
    this.current = next;
    return next;
  }
}

/** One line per change of level: a warning when it sheds more, information when it recovers. */
export function logLevelChange(logger: Logger, part: string, from: Level, to: LevelState, fields: LogFields): void {
  if (from === to.level) return;
  const log = levelRank(to.level) > levelRank(from) ? logger.warn.bind(logger) : logger.info.bind(logger);
  log(`the ${part} degradation level changed`, { from, to: to.level, reason: to.reason ?? null, ...fields });
}

/**
 * A part's degradation level in Prometheus: the gauge `sessionflow_<part>_degradation_level{level}` (1 for the
 * level in force, 0 for the others, so a dashboard sees every level and which one holds) and the counter
 * `sessionflow_<part>_degradation_changes_total{from,to}`.
 */
import { LEVELS, type Level } from '@sessionflow/core';
import { Counter, Gauge, type Registry } from 'prom-client';

export type DegradingPart = 'edge' | 'collector' | 'pipeline';

export interface LevelMetrics {
  level: Gauge<'level'>;
  changes: Counter<'from' | 'to'>;
}

export function levelGauge(registry: Registry, part: DegradingPart, help: string): Gauge<'level'> {
  return new Gauge({ name: `sessionflow_${part}_degradation_level`, help, labelNames: ['level'] as const, registers: [registry] });
}

export function levelMetrics(registry: Registry, part: Exclude<DegradingPart, 'edge'>): LevelMetrics {
  return {
    level: levelGauge(registry, part, `The ${part}'s degradation level: 1 for the level in force (full, popularity, live_only, data_only), 0 for the others.`),
    changes: new Counter({
      name: `sessionflow_${part}_degradation_changes_total`,
      help: `Changes of the ${part}'s degradation level, from one level to another.`,
      labelNames: ['from', 'to'] as const,
      registers: [registry],
    }),
  };
}

/** Sets the gauge to 1 for `level` and 0 for every other level. */
export function showLevel(gauge: Gauge<'level'>, level: Level): void {
  for (const each of LEVELS) gauge.set({ level: each }, each === level ? 1 : 0);
}

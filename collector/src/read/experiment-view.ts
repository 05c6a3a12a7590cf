/**
 * An experiment's readout as `GET /v1/experiments/:key` shows it: core's
 * `readout` (readout/README.md) over the exact counters the pipeline keeps,
 * with the configured weights and control, plus the holdout's counts when it
 * had exposures (it has no weight among the variants, so no statistics). Pure.
 */
import { HOLDOUT_VARIANT, readout, type Readout, type VariantCounters } from '@sessionflow/core';
import type { ConversionEvent, ExperimentSetup } from '../pipeline/experiments/config.js';

export interface ExperimentView extends Readout {
  experiment: string;
  version: number;
  status: 'running' | 'stopped';
  conversion: ConversionEvent;
  holdout?: { exposures: number; exposedUnits: number; conversions: number };
  generatedAt: number;
}

export function experimentView(setup: ExperimentSetup, counts: Readonly<Record<string, number>>, nowMs: number): ExperimentView {
  const count = (kind: string, variant: string) => counts[`${kind}:${variant}`] ?? 0;
  const counters = (name: string) => ({ exposures: count('exposures', name), exposedUnits: count('units', name), conversions: count('conversions', name) });
  const { experiment } = setup;
  const variants: VariantCounters[] = experiment.variants.map((v) => ({ name: v.name, weight: v.weight, ...counters(v.name) }));
  const holdout = counters(HOLDOUT_VARIANT);
  return {
    experiment: experiment.key,
    version: experiment.version,
    status: experiment.status ?? 'running',
    conversion: setup.conversion,
    ...readout({ variants, control: setup.control }),
    ...(holdout.exposures > 0 ? { holdout } : {}),
    generatedAt: nowMs,
  };
}

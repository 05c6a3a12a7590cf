/**
 * The experiment counters of a batch of new events, as commands for the
 * batch's MULTI/EXEC (pure; the counting itself is the script's, script.ts):
 *
 * - an `exposure` of a configured experiment and variant (or the holdout)
 *   counts one exposure; the unit's first exposure fixes its variant and
 *   counts it as an exposed unit;
 * - the experiment's conversion event counts the unit once, under its fixed
 *   variant, if it was exposed before (in record order: a person's events are
 *   on one partition of the by-user topic, in order).
 *
 * The unit is the canonical id. Prefix records (an anonymous prefix re-sent
 * under the user) change nothing: they were counted the first time.
 * Exposures of unknown experiments or variants are not counted, so forged
 * events cannot grow the hashes without bound.
 */
import { HOLDOUT_VARIANT } from '@sessionflow/core';
import type { StoreKeys } from '../../store/keys.js';
import type { RedisCommand } from '../commands.js';
import type { ExperimentSetup } from './config.js';
import { isConversion } from './conversion.js';
import { EXPERIMENT_SCRIPT } from './script.js';
import { isPrefixRecord, profileIdOf, type ByUserEvent } from '../identity/records.js';

export function experimentCommands(events: readonly ByUserEvent[], keys: StoreKeys, experiments: readonly ExperimentSetup[]): RedisCommand[] {
  if (experiments.length === 0) return [];
  const counted = new Map(experiments.map((setup) => [setup.experiment.key, new Set([...setup.experiment.variants.map((v) => v.name), HOLDOUT_VARIANT])]));
  const args: string[] = [];
  for (const event of events) {
    if (isPrefixRecord(event)) continue;
    const unit = profileIdOf(event);
    if (event.type === 'exposure') {
      const { experiment, variant } = event;
      if (experiment !== undefined && variant !== undefined && counted.get(experiment)?.has(variant)) {
        args.push('exposure', keys.experimentCounts(experiment), keys.experimentUnits(experiment), unit, variant);
      }
      continue;
    }
    for (const setup of experiments) {
      const key = setup.experiment.key;
      if (isConversion(event, setup.conversion)) args.push('conversion', keys.experimentCounts(key), keys.experimentUnits(key), unit, '');
    }
  }
  return args.length === 0 ? [] : [['EVAL', EXPERIMENT_SCRIPT, '0', ...args]];
}

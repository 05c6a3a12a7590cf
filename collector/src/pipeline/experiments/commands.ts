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
 * The unit is the canonical profile's ref (`u:<user id>` or `a:<anonymous
 * id>`). Prefix records (an anonymous prefix re-sent under the user) change
 * nothing: they were counted the first time. Exposures of unknown experiments
 * or variants are not counted, so forged events cannot grow the hashes with
 * keys of their own; an experiment's two keys expire `experimentTtlSeconds`
 * after its last counted event (store/bounds.ts), so the units of an
 * experiment that stopped are not kept for ever.
 */
import { HOLDOUT_VARIANT } from '@sessionflow/core';
import { DEFAULT_STATE_BOUNDS, type StateBounds } from '../../store/bounds.js';
import type { StoreKeys } from '../../store/keys.js';
import { PLANNER_SCRIPT, type RedisCommand } from '../commands.js';
import type { ExperimentSetup } from './config.js';
import { isConversion } from './conversion.js';
import { EXPERIMENT_SCRIPT } from './script.js';
import { isPrefixRecord, profileRefOf, type ByUserEvent } from '../identity/records.js';

export function experimentCommands(events: readonly ByUserEvent[], keys: StoreKeys, experiments: readonly ExperimentSetup[], bounds: StateBounds = DEFAULT_STATE_BOUNDS): RedisCommand[] {
  if (experiments.length === 0) return [];
  const touched = new Set<string>();
  const counted = new Map(experiments.map((setup) => [setup.experiment.key, new Set([...setup.experiment.variants.map((v) => v.name), HOLDOUT_VARIANT])]));
  const args: string[] = [];
  for (const event of events) {
    if (isPrefixRecord(event)) continue;
    const unit = profileRefOf(event);
    if (event.type === 'exposure') {
      const { experiment, variant } = event;
      if (experiment !== undefined && variant !== undefined && counted.get(experiment)?.has(variant)) {
        args.push('exposure', keys.experimentCounts(experiment), keys.experimentUnits(experiment), unit, variant);
        touched.add(experiment);
      }
      continue;
    }
    for (const setup of experiments) {
      const key = setup.experiment.key;
      if (isConversion(event, setup.conversion)) {
        args.push('conversion', keys.experimentCounts(key), keys.experimentUnits(key), unit, '');
        touched.add(key);
      }
    }
  }
  if (args.length === 0) return [];
  const ttl = String(bounds.experimentTtlSeconds);
  // After the script: EXPIRE on a key it has not created yet does nothing.
  return [[PLANNER_SCRIPT, EXPERIMENT_SCRIPT, ...args], ...[...touched].flatMap((key): RedisCommand[] => [['EXPIRE', keys.experimentCounts(key), ttl], ['EXPIRE', keys.experimentUnits(key), ttl]])];
}

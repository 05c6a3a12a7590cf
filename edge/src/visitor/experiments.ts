/**
 * The experiments the edge runs (var `EXPERIMENTS`, a JSON list in core's
 * experiment schema), parsed once per isolate. A bad list is refused with the
 * field named, like every other var (config.ts), rather than half-applied.
 */
import { assign, validateExperiments, type Experiment } from '@sessionflow/core';
import { EdgeError } from '../errors.js';

let cached: { raw: unknown; experiments: Experiment[] } | undefined;

export function experimentsOf(raw: string | unknown[] | undefined): Experiment[] {
  if (cached && cached.raw === raw) return cached.experiments;
  let input: unknown = raw ?? [];
  if (typeof raw === 'string') {
    try {
      input = JSON.parse(raw);
    } catch {
      throw new EdgeError(500, 'config_invalid', 'EXPERIMENTS: is not JSON');
    }
  }
  const result = validateExperiments(input);
  if (!result.ok) throw new EdgeError(500, 'config_invalid', `EXPERIMENTS: ${result.errors[0]!.field}: ${result.errors[0]!.reason}`);
  cached = { raw, experiments: result.value };
  return result.value;
}

/** What each experiment's key@version was assigned the first time this visitor met it (`null`: not in it). */
export type Assignments = Record<string, string | null>;

/**
 * The visitor's variants, sticky: an assignment once made is kept, so an
 * identify (or anything else) never flips it; bumping an experiment's version
 * reshuffles on purpose. Bucketed by the anonymous id, never the user id.
 */
export function variantsOf(experiments: readonly Experiment[], anonymousId: string, kept: Assignments): { variants: Record<string, string>; kept: Assignments } {
  const next: Assignments = { ...kept };
  const variants: Record<string, string> = {};
  for (const experiment of experiments) {
    const slot = `${experiment.key}@${experiment.version}`;
    if (!(slot in next)) next[slot] = assign(experiment, anonymousId)?.variant ?? null;
    const variant = next[slot];
    if (variant) variants[experiment.key] = variant;
  }
  return { variants, kept: next };
}

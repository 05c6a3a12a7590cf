/**
 * The experiments the pipeline counts and the read API reads out: the same
 * JSON list as the edge's `EXPERIMENTS` (core's experiment schema), plus per
 * experiment what counts as its conversion and which variant is the control.
 * Read once at start-up; a bad list stops the process with the field named
 * (`EXPERIMENTS: 0.variants.1.weight must be greater than 0`), because a
 * readout over a misread configuration would be silently wrong.
 */
import * as v from 'valibot';
import { EVENT_TYPES, validateExperiments, type EventType, type Experiment } from '@sessionflow/core';

/** The event that counts as a conversion: its type and, for a `track`, its name. */
export interface ConversionEvent {
  type: Exclude<EventType, 'exposure'>;
  name?: string;
}

export interface ExperimentSetup {
  experiment: Experiment;
  conversion: ConversionEvent;
  /** The variant the others are compared with. */
  control: string;
}

export const DEFAULT_CONVERSION: ConversionEvent = Object.freeze({ type: 'track', name: 'add_to_cart' });

/** What runs locally: the demo's recommendation strategies, as in edge/wrangler.toml. */
export const DEFAULT_EXPERIMENTS_JSON = JSON.stringify([
  {
    key: 'recs-strategy',
    version: 1,
    traffic: 1,
    variants: [
      { name: 'similar', weight: 1 },
      { name: 'popular', weight: 1 },
    ],
    conversion: DEFAULT_CONVERSION,
    control: 'similar',
  },
]);

// An exposure is what the readout divides by, so it cannot also be what it counts.
const ConversionSchema = v.pipe(
  v.strictObject(
    {
      type: v.picklist(
        EVENT_TYPES.filter((t) => t !== 'exposure'),
        `must be one of ${EVENT_TYPES.filter((t) => t !== 'exposure').join(', ')}`,
      ),
      name: v.optional(v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(128, 'must be at most 128 characters'))),
    },
    'must be an object with type and, for a track, name',
  ),
  v.check((c) => c.name === undefined || c.type === 'track', 'may name only a track event'),
);

export class ExperimentsConfigError extends Error {
  override readonly name = 'ExperimentsConfigError';
}

/** Parses the list; throws an ExperimentsConfigError naming `variable` and the first wrong field. */
export function parseExperiments(raw: string, variable: string): ExperimentSetup[] {
  const fail = (field: string, reason: string): never => {
    throw new ExperimentsConfigError(`${variable}: ${field} ${reason}`);
  };
  let input: unknown;
  try {
    input = JSON.parse(raw);
  } catch (error) {
    return fail('(experiments)', `is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!Array.isArray(input)) return fail('(experiments)', 'must be a JSON array of experiments');

  // core's schema is strict, so our two fields come off before it sees the rest.
  const extras: { conversion: unknown; control: unknown }[] = [];
  const cores = input.map((item: unknown, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return fail(String(i), 'must be an object');
    const { conversion, control, ...rest } = item as Record<string, unknown>;
    extras.push({ conversion, control });
    return rest;
  });
  const validated = validateExperiments(cores);
  if (!validated.ok) {
    const first = validated.errors[0];
    return fail(first?.field ?? '(experiments)', first?.reason ?? 'is invalid');
  }

  return validated.value.map((experiment, i) => {
    const extra = extras[i] as { conversion: unknown; control: unknown };
    let conversion = DEFAULT_CONVERSION;
    if (extra.conversion !== undefined) {
      const parsed = v.safeParse(ConversionSchema, extra.conversion, { abortPipeEarly: true });
      if (!parsed.success) {
        const issue = parsed.issues[0];
        const path = issue ? v.getDotPath(issue) : null;
        return fail(`${i}.conversion${path ? `.${path}` : ''}`, issue?.message ?? 'is invalid');
      }
      conversion = parsed.output.name === undefined ? { type: parsed.output.type } : { type: parsed.output.type, name: parsed.output.name };
    }
    const names = experiment.variants.map((variant) => variant.name);
    const control = extra.control === undefined ? (names[0] as string) : extra.control;
    if (typeof control !== 'string' || !names.includes(control)) {
      return fail(`${i}.control`, `must name one of the variants (${names.join(', ')})`);
    }
    return { experiment, conversion, control };
  });
}

/** The list from `variable` in the environment, or the local default. */
export function readExperiments(env: Readonly<Record<string, string | undefined>>, variable: string): ExperimentSetup[] {
  const raw = env[variable]?.trim();
  return parseExperiments(raw ? raw : DEFAULT_EXPERIMENTS_JSON, variable);
}

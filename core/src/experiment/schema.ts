/**
 * An experiment as the edge receives it from configuration: which units take
 * part (traffic), which variants they are split over (weights), and which
 * share of all units is held out of the experiment and every rule scoped to
 * it. Strict: an unknown field is refused, so a typo (`trafic`) cannot pass
 * as a default.
 */
import * as v from 'valibot';

/** The variant name a held-out unit gets; no configured variant may take it. */
export const HOLDOUT_VARIANT = 'holdout';

// No `:` (it separates the parts of the hashed string) and no `~` (it marks
// the salted keys of the holdout and traffic draws), see bucket.ts.
const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
const NAME_RULE = 'may hold only letters, digits and _ . -';

const ExperimentKey = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'must not be empty'),
  v.maxLength(64, 'must be at most 64 characters'),
  v.regex(NAME_PATTERN, NAME_RULE),
);

const VariantName = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'must not be empty'),
  v.maxLength(64, 'must be at most 64 characters'),
  v.regex(NAME_PATTERN, NAME_RULE),
  v.notValue(HOLDOUT_VARIANT, `is reserved for the holdout group`),
);

const Share = v.pipe(
  v.number('must be a number'),
  v.finite('must be a finite number'),
  v.minValue(0, 'must be between 0 and 1'),
  v.maxValue(1, 'must be between 0 and 1'),
);

export const VariantSchema = v.strictObject(
  {
    name: VariantName,
    /** Relative: weights 1 and 3 split 25 % / 75 %; they need not sum to anything. */
    weight: v.pipe(v.number('must be a number'), v.finite('must be a finite number'), v.gtValue(0, 'must be greater than 0')),
  },
  'must be an object with name and weight',
);

/** Refuses a repeated `field` value among the items, naming the later item (`2.name`). */
function uniqueBy<T extends Record<string, unknown>>(field: keyof T & string, what: string) {
  return v.rawCheck<T[]>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const items = dataset.value;
    const seen = new Set<unknown>();
    items.forEach((item, index) => {
      const value = item[field];
      if (!seen.has(value)) {
        seen.add(value);
        return;
      }
      addIssue({
        message: `repeats the ${what} "${String(value)}"`,
        input: value,
        path: [
          { type: 'array', origin: 'value', input: items, key: index, value: item },
          { type: 'object', origin: 'value', input: item, key: field, value },
        ],
      });
    });
  });
}

export const ExperimentSchema = v.strictObject(
  {
    key: ExperimentKey,
    /** Part of the hashed string: bumping it reshuffles every unit (bucket.ts). */
    version: v.pipe(v.number('must be a number'), v.safeInteger('must be an integer'), v.minValue(1, 'must be at least 1')),
    /** Share of the units not held out that enter a variant; the rest are not in the experiment. */
    traffic: Share,
    variants: v.pipe(
      v.array(VariantSchema, 'must be an array of variants'),
      v.minLength(1, 'must have at least one variant'),
      v.maxLength(50, 'must have at most 50 variants'),
      uniqueBy<{ name: string; weight: number }>('name', 'variant name'),
    ),
    /** Share of ALL units kept out of every variant and every rule of the experiment. */
    holdout: v.optional(Share),
    /** Absent means running; a stopped experiment assigns nobody. */
    status: v.optional(v.picklist(['running', 'stopped'], 'must be "running" or "stopped"')),
  },
  'must be an object with key, version, traffic and variants',
);

/** The experiments the edge runs, keyed uniquely. */
export const ExperimentListSchema = v.pipe(
  v.array(ExperimentSchema, 'must be an array of experiments'),
  uniqueBy<Experiment>('key', 'experiment key'),
);

export type Variant = v.InferOutput<typeof VariantSchema>;
export type Experiment = v.InferOutput<typeof ExperimentSchema>;

/**
 * Validation of experiment configuration that names the failing field
 * (`variants.1.weight`) and the reason, so a bad document is refused with
 * something the person who wrote it can act on.
 */
import * as v from 'valibot';
import type { FieldError, Validated } from '../event/validate.js';
import { ExperimentListSchema, ExperimentSchema, type Experiment } from './schema.js';

function errorsOf(issues: readonly v.BaseIssue<unknown>[], whole: string): FieldError[] {
  return issues.map((issue) => {
    const path = issue.path?.map((item) => String(item.key)).join('.');
    // valibot words a missing or unknown key as "Invalid key: …"; say it the way the author thinks of it.
    const objectIssue = issue.kind === 'schema' && (issue.type === 'object' || issue.type === 'strict_object');
    let reason = issue.message;
    if (objectIssue && issue.expected === 'never') reason = 'is not a field of an experiment';
    else if (objectIssue && issue.input === undefined && issue.expected?.startsWith('"')) reason = 'is required';
    return { field: path && path.length > 0 ? path : whole, reason };
  });
}

/** One experiment; errors name the field, or `(experiment)` for the document itself. */
export function validateExperiment(input: unknown): Validated<Experiment> {
  // valibot reads an array as an object with every field missing; say what it is instead.
  if (Array.isArray(input)) return { ok: false, errors: [{ field: '(experiment)', reason: 'must be an object, not an array' }] };
  const result = v.safeParse(ExperimentSchema, input, { abortPipeEarly: true });
  return result.success ? { ok: true, value: result.output } : { ok: false, errors: errorsOf(result.issues, '(experiment)') };
}

/** A list of experiments with unique keys; errors name the item (`2.traffic`), or `(experiments)` for the list. */
export function validateExperiments(input: unknown): Validated<Experiment[]> {
  const result = v.safeParse(ExperimentListSchema, input, { abortPipeEarly: true });
  return result.success ? { ok: true, value: result.output } : { ok: false, errors: errorsOf(result.issues, '(experiments)') };
}

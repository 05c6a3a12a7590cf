/**
 * Validation that names the failing field and the reason, so a 4xx answer or a
 * DLQ record tells the sender exactly what to fix.
 *
 * Two steps, one schema. A check compiled at build time from the valibot
 * schema (scripts/event-validator: the schema as JSON Schema, then Ajv's
 * standalone code; nothing is compiled at run time, which workerd forbids)
 * takes the common case, a good event, as it is, without a copy. Whatever it
 * does not accept goes through valibot itself, which words the errors, and
 * has the last word: the compiled check is never looser than the schema (its
 * tests hold it to that), only stricter where JSON Schema cannot say what
 * valibot does (a record key valibot leaves out of its output, say), and
 * there valibot's answer stands.
 */
import * as v from 'valibot';
import { isEvent } from './generated/validators.js';
import { EventSchema, type SessionflowEvent } from './schema.js';

export interface FieldError {
  /** Dotted path into the event, e.g. `page.url`; `(event)` for the event itself. */
  field: string;
  reason: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** valibot words a missing or unknown key as "Invalid key: …"; say it the way a sender thinks of it. */
function reasonOf(issue: v.BaseIssue<unknown>): string {
  const objectIssue = issue.kind === 'schema' && (issue.type === 'object' || issue.type === 'strict_object');
  if (objectIssue && issue.expected === 'never') return 'is not a field of this event';
  if (objectIssue && issue.input === undefined && issue.expected?.startsWith('"')) return 'is required';
  return issue.message;
}

export function fieldErrors(issues: readonly v.BaseIssue<unknown>[]): FieldError[] {
  return issues.map((issue) => {
    const path = issue.path?.map((item) => String(item.key)).join('.');
    return { field: path && path.length > 0 ? path : '(event)', reason: reasonOf(issue) };
  });
}

/** A check generated at build time from a schema: true when the input is that schema's output as it is. */
export type CompiledCheck = (input: unknown) => boolean;

/** The compiled check first; valibot's answer (its output, or its errors) when that check does not accept the input. */
export function validateWith<S extends v.GenericSchema>(compiled: CompiledCheck, schema: S, input: unknown): Validated<v.InferOutput<S>> {
  if (compiled(input)) return { ok: true, value: input as v.InferOutput<S> };
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  return result.success ? { ok: true, value: result.output } : { ok: false, errors: fieldErrors(result.issues) };
}

/** The compiled event check alone: whether an event takes the fast path (benchmarks and tests watch that it does). */
export const compiledEventCheck: CompiledCheck = isEvent;

export function validateEvent(input: unknown): Validated<SessionflowEvent> {
  return validateWith(isEvent, EventSchema, input);
}

export interface RejectedEvent {
  index: number;
  errors: FieldError[];
}

export interface EventPartition {
  accepted: SessionflowEvent[];
  /** Indexes of the accepted events in the input, in the same order. */
  acceptedIndexes: number[];
  rejected: RejectedEvent[];
}

/** Validates each event on its own, so one bad event does not sink the good ones. */
export function partitionEvents(inputs: readonly unknown[]): EventPartition {
  const out: EventPartition = { accepted: [], acceptedIndexes: [], rejected: [] };
  inputs.forEach((input, index) => {
    const result = validateEvent(input);
    if (result.ok) {
      out.accepted.push(result.value);
      out.acceptedIndexes.push(index);
    } else {
      out.rejected.push({ index, errors: result.errors });
    }
  });
  return out;
}

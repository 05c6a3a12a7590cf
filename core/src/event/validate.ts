/**
 * Validation that names the failing field and the reason, so a 4xx answer or a
 * DLQ record tells the sender exactly what to fix.
 */
import * as v from 'valibot';
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

export function validateEvent(input: unknown): Validated<SessionflowEvent> {
  const result = v.safeParse(EventSchema, input, { abortPipeEarly: true });
  return result.success ? { ok: true, value: result.output } : { ok: false, errors: fieldErrors(result.issues) };
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

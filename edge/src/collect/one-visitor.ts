/**
 * One collect request carries the events of one visitor: each visitor costs
 * an object call and a signed relay, so a batch naming many would let one
 * request cost many (and step around the per-visitor limit).
 */
import type { FieldError } from '@sessionflow/core';

/** The first event naming another visitor than the first one named, as a field error; undefined when there is none. */
export function secondVisitor(events: readonly unknown[]): FieldError | undefined {
  let first: { index: number; id: string } | undefined;
  for (const [index, event] of events.entries()) {
    const id = typeof event === 'object' && event !== null && !Array.isArray(event) ? (event as Record<string, unknown>)['anonymousId'] : undefined;
    if (typeof id !== 'string') continue;
    if (first === undefined) first = { index, id };
    else if (id !== first.id) {
      return { field: `events.${index}.anonymousId`, reason: `is not the visitor of events.${first.index}: one request carries the events of one visitor` };
    }
  }
  return undefined;
}

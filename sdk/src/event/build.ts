/** Builds events in core's schema, version 1: the fields every event carries, then the type's own. */
import { SCHEMA_VERSION, type Page, type SessionflowEvent } from '@sessionflow/core';

/** Who and where an event comes from, gathered by the tracker for each event. */
export interface EventContext {
  eventId: string;
  anonymousId: string;
  sessionId: string;
  seq: number;
  timestamp: number;
  page: Page;
  /** Set once the visitor was identified. */
  userId?: string | undefined;
}

// userId is left in the body too: an identify event names its user there.
type CommonField = 'schemaVersion' | 'eventId' | 'anonymousId' | 'sessionId' | 'timestamp' | 'seq' | 'page';
/** The type-specific part of an event, e.g. `{ type: 'click', element, product }`. */
export type EventBody = SessionflowEvent extends infer E ? (E extends SessionflowEvent ? Omit<E, CommonField> : never) : never;

export function buildEvent(context: EventContext, body: EventBody): SessionflowEvent {
  // The body last: an identify event's own userId is the one it names.
  return { schemaVersion: SCHEMA_VERSION, ...context, timestamp: Math.floor(context.timestamp), ...body } as SessionflowEvent;
}

/**
 * Builds the events the visit cases describe in short form: `id` is the event
 * id, `page` overrides the default page (a null field is left out), and the
 * rest is the event's own fields. Every event is checked against core's schema,
 * so a case cannot rest on an event the edge would refuse.
 */
import { validateEvent } from '../src/event/validate.js';
import type { SessionflowEvent } from '../src/event/schema.js';

export interface CompactEvent {
  id: string;
  type: string;
  page?: Record<string, string | null>;
  [field: string]: unknown;
}

const DEFAULT_PAGE = { url: 'https://shop.example/', pageViewId: 'pv-00001' };

export function eventOf({ id, page, ...body }: CompactEvent, at: number): SessionflowEvent {
  const pageFields = Object.entries({ ...DEFAULT_PAGE, ...page }).filter(([, value]) => value !== null);
  const raw = {
    schemaVersion: 1,
    eventId: id,
    anonymousId: 'anon-visitor-1',
    sessionId: 'sdk-session-1',
    timestamp: 1_700_000_000_000 + at,
    page: Object.fromEntries(pageFields),
    ...body,
  };
  const result = validateEvent(raw);
  if (!result.ok) throw new Error(`case event ${id} is not a valid event: ${JSON.stringify(result.errors)}`);
  return result.value;
}

/** An id generator that says how often it was asked: session-1, session-2, ... */
export function sessionIds(): { newId: () => string; made: () => number } {
  let n = 0;
  return { newId: () => `session-${++n}`, made: () => n };
}

/**
 * The Kafka record codec for `sf.events` and `sf.events.dlq`: encoding apart
 * from transport, so both sides (producer and any consumer) share one shape
 * and it can be tested without a broker.
 */
import type { FieldError } from './validate.js';
import type { DeviceClass } from '../device/device.js';
import type { SessionflowEvent } from './schema.js';

/** What the edge and collector add to an event on its way into Kafka. */
export interface IngestMeta {
  siteKey: string;
  /** Edge clock when the batch arrived. */
  receivedAt: number;
  /** Collector clock when it produced the record. */
  ingestedAt: number;
  /** The browser's device class, when the edge sent one. */
  device?: DeviceClass;
}

export type IngestedEvent = SessionflowEvent & { ingest: IngestMeta };

export interface EncodedRecord {
  key: string;
  value: string;
}

/** `sf.events`: keyed by anonymous id, which keeps each device's events in order. */
export function encodeEventRecord(event: SessionflowEvent, meta: IngestMeta): EncodedRecord {
  return eventRecordEncoder(meta)(event);
}

/**
 * An encoder for the events of one batch, which all share `meta`. Same JSON as
 * stringifying `{ ...event, ingest: meta }`, without copying each event or
 * stringifying the metadata again: this runs once per event on the
 * collector's hot path.
 */
export function eventRecordEncoder(meta: IngestMeta): (event: SessionflowEvent) => EncodedRecord {
  const suffix = `,"ingest":${JSON.stringify(meta)}}`;
  return (event) => ({ key: event.anonymousId, value: JSON.stringify(event).slice(0, -1) + suffix });
}

/** Decodes a record value (as text: the consumer owns the bytes-to-text step). */
export function decodeEventRecord(value: string): IngestedEvent {
  return JSON.parse(value) as IngestedEvent;
}

export interface DeadLetter {
  errors: FieldError[];
  /** The event as it came, so it can be fixed and replayed. */
  event: unknown;
  siteKey: string;
  receivedAt: number;
  ingestedAt: number;
}

/** `sf.events.dlq`: keyed by the anonymous id when the bad event still has a usable one. */
export function encodeDeadLetter(letter: DeadLetter): EncodedRecord {
  const raw = letter.event as { anonymousId?: unknown } | null;
  const key = raw && typeof raw === 'object' && typeof raw.anonymousId === 'string' ? raw.anonymousId.slice(0, 64) : 'unknown';
  return { key, value: JSON.stringify(letter) };
}

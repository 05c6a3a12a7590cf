/**
 * The records the identity stage writes: `sf.events.by-user` (the event JSON
 * with `canonicalId`: the ref of the profile it belongs to, `u:<user id>` or
 * `a:<anonymous id>` (core's canonicalRef), also the record's key; `source`: the traffic source of the event's session, from
 * its landing page view, which only this stage sees in order with the rest of
 * the device's session — after a login the session's later events travel under
 * the user's key, on another partition than its landing — and
 * `attribution: "prefix"` for an anonymous event re-sent under the user it
 * turned out to be) and `sf.identity` (anonymous id →
 * `{userId, linkedAt}`, compacted). Codecs only; tested without a broker.
 */
import { deviceRef, type IngestedEvent } from '@sessionflow/core';
import type { StoreKeys } from '../../store/keys.js';

/** An event as the aggregates stage reads it from `sf.events.by-user`; `canonicalId` is a profile ref. */
export type ByUserEvent = IngestedEvent & { canonicalId?: string; attribution?: 'prefix'; source?: string };

export interface KeyedRecord {
  topic: string;
  key: string;
  /** Null is a tombstone (compacted topics). */
  value: string | null;
}

/**
 * The by-user value of a raw `sf.events` value. Splices the fields in instead
 * of parsing and stringifying again: this runs once per event. The collector
 * writes the value as one JSON object, so it ends with `}`.
 */
export function byUserValue(rawEvent: string, canonicalId: string, attribution?: 'prefix', source?: string): string {
  const body = rawEvent.trimEnd();
  if (!body.endsWith('}')) throw new Error('an event record value must be a JSON object');
  const extra =
    `,"canonicalId":${JSON.stringify(canonicalId)}` +
    (attribution === undefined ? '' : `,"attribution":"${attribution}"`) +
    (source === undefined ? '' : `,"source":${JSON.stringify(source)}`) +
    '}';
  return body.slice(0, -1) + extra;
}

export interface IdentityLink {
  userId: string;
  /** Epoch ms: the time of the event that made the link (the same on every replay). */
  linkedAt: number;
}

export function identityValue(link: IdentityLink): string {
  return JSON.stringify({ userId: link.userId, linkedAt: link.linkedAt });
}

/** The profile an event changes, by ref: its canonical one, or its device's for records from before the identity stage. */
export function profileRefOf(event: ByUserEvent): string {
  return event.canonicalId ?? deviceRef(event.anonymousId);
}

/** A prefix record changes its canonical id's profile only: global aggregates counted the event when it was anonymous. */
export function isPrefixRecord(event: ByUserEvent): boolean {
  return event.attribution === 'prefix' && event.canonicalId !== undefined;
}

/**
 * The key a record is deduplicated by: its event id's, and for a prefix record
 * the event id's prefix mark, so the re-sent prefix is not mistaken for a
 * duplicate of the anonymous original (which changed another profile). An
 * event is re-sent as prefix at most once (at its device's first link), so the
 * mark needs no canonical id, and the dedupe key names no person that an
 * erasure would have to find. The id is escaped in the key: an event id
 * `x:prefix` cannot take the place of event x's mark.
 */
export function seenKeyOf(event: ByUserEvent, keys: Pick<StoreKeys, 'seenEvent'>): string {
  return keys.seenEvent(event.eventId, isPrefixRecord(event) ? 'prefix' : undefined);
}

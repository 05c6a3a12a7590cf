/**
 * Redis keys of the identity stage (the identity graph's device → user
 * links, the anonymous prefix of each device's open session, the stage's own
 * offsets), all owned by the device's partition of the events topic. The
 * other side, a user's devices, is the user's profile's (`profileDevices`,
 * keys.ts), filled from the re-keyed events in the user's own partition. Erasure markers are
 * named by an HMAC of the ref, never by the ref (../erasure/marks.ts). Same prefix as store/keys.ts; devices and users are named by their
 * refs (`a:<anonymous id>`, `u:<user id>`, key-parts.ts), so no id reaches
 * into another's keys.
 */
import { devicePart, keyPart } from './key-parts.js';
import { partitionTag } from './owner.js';

export interface IdentityKeys {
  /** String: the user id an anonymous id is linked to now (the raw id: a value, never a key). */
  link(anonymousId: string): string;
  /** String: the session id the anonymous prefix below belongs to. */
  prefixSession(anonymousId: string): string;
  /** List: the raw `sf.events` values of the open session sent while the device was anonymous, oldest first. */
  prefixEvents(anonymousId: string): string;
  /**
   * String: this event id was re-keyed by the stage already (expires after the dedupe window). A copy that
   * travelled (an edge or SDK retry) is dropped here, where all copies of a device's event meet, rather than
   * re-keyed again: after a login it would go to the user's by-user partition while the first copy went to
   * the device's, and two partitions' `seen:` marks would count it twice.
   */
  seenEvent(eventId: string): string;
  /** String: the identity stage's next offset of this partition of the events topic. */
  offset: string;
}

/** The identity graph's keys that `partition` of the events topic owns: its devices'. */
export function identityKeys(prefix: string, eventsTopic: string, partition: number): IdentityKeys {
  const p = `${prefix}:${partitionTag(eventsTopic, partition)}:`;
  return {
    link: (anonymousId) => `${p}identity:link:${devicePart(anonymousId)}`,
    prefixSession: (anonymousId) => `${p}identity:prefix:${devicePart(anonymousId)}:session`,
    prefixEvents: (anonymousId) => `${p}identity:prefix:${devicePart(anonymousId)}:events`,
    seenEvent: (eventId) => `${p}identity:seen:${keyPart(eventId)}`,
    offset: `${p}identity:offset`,
  };
}

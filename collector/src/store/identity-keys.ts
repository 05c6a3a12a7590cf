/**
 * Redis keys of the identity stage (the identity graph, the anonymous prefix
 * of each device's open session, the stage's own offsets). Erasure markers are
 * named by an HMAC of the ref, never by the ref (../erasure/marks.ts). Same prefix as store/keys.ts; devices and users are named by their
 * refs (`a:<anonymous id>`, `u:<user id>`, key-parts.ts), so no id reaches
 * into another's keys.
 */
import { devicePart, keyPart, userPart } from './key-parts.js';

export interface IdentityKeys {
  /** String: the user id an anonymous id is linked to now (the raw id: a value, never a key). */
  link(anonymousId: string): string;
  /** Set: every anonymous id (device) linked to a user id. */
  userDevices(userId: string): string;
  /** String: the session id the anonymous prefix below belongs to. */
  prefixSession(anonymousId: string): string;
  /** List: the raw `sf.events` values of the open session sent while the device was anonymous, oldest first. */
  prefixEvents(anonymousId: string): string;
  /** String: the identity stage's next offset of one topic-partition (apart from the aggregates stage's). */
  offset(topic: string, partition: number): string;
}

export function identityKeys(prefix: string): IdentityKeys {
  const p = `${prefix}:`;
  return {
    link: (anonymousId) => `${p}identity:link:${devicePart(anonymousId)}`,
    userDevices: (userId) => `${p}identity:devices:${userPart(userId)}`,
    prefixSession: (anonymousId) => `${p}identity:prefix:${devicePart(anonymousId)}:session`,
    prefixEvents: (anonymousId) => `${p}identity:prefix:${devicePart(anonymousId)}:events`,
    offset: (topic, partition) => `${p}identity:offset:${keyPart(topic)}:${partition}`,
  };
}

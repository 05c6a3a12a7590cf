/**
 * Redis keys of the identity stage (the identity graph, the anonymous prefix
 * of each device's open session, the stage's own offsets) and of erasure
 * markers. Same prefix as store/keys.ts.
 */

export interface IdentityKeys {
  /** String: the user id an anonymous id is linked to now. */
  link(anonymousId: string): string;
  /** Set: every anonymous id (device) linked to a user id. */
  userDevices(userId: string): string;
  /** String: the session id the anonymous prefix below belongs to. */
  prefixSession(anonymousId: string): string;
  /** List: the raw `sf.events` values of the open session sent while the device was anonymous, oldest first. */
  prefixEvents(anonymousId: string): string;
  /** String: the identity stage's next offset of one topic-partition (apart from the aggregates stage's). */
  offset(topic: string, partition: number): string;
  /** String, expiring: epoch ms (collector clock) when a user or anonymous id was erased. */
  erased(id: string): string;
}

export function identityKeys(prefix: string): IdentityKeys {
  const p = `${prefix}:`;
  return {
    link: (anonymousId) => `${p}identity:link:${anonymousId}`,
    userDevices: (userId) => `${p}identity:user:${userId}:devices`,
    prefixSession: (anonymousId) => `${p}identity:prefix:${anonymousId}:session`,
    prefixEvents: (anonymousId) => `${p}identity:prefix:${anonymousId}:events`,
    offset: (topic, partition) => `${p}identity:offset:${topic}:${partition}`,
    erased: (id) => `${p}erased:${id}`,
  };
}

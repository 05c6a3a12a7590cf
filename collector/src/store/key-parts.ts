/**
 * The two ways an id becomes part of a Redis key (core/src/identity/ids.ts):
 * any id through core's `keyPart` (no `:`, `{`, `}` or `%` left unescaped, so
 * no id can reach into another key's name or hash slot), and a profile by its
 * ref (`u:<user id>` / `a:<anonymous id>`, already escaped), so user ids and
 * anonymous ids never share a namespace. Every key function of this folder
 * builds its ids with one of these.
 */
import { deviceRef, keyPart, parseProfileRef, userRef } from '@sessionflow/core';

export { keyPart };

/**
 * A profile's ref as a key segment. Anything that is not a ref throws: a raw
 * id passed where a ref belongs would name someone else's profile, and a
 * crash is better than that. The id itself is not in the message (logs).
 */
export function refPart(ref: string): string {
  if (parseProfileRef(ref) === undefined) throw new TypeError('a profile key needs a profile ref (u:<user id> or a:<anonymous id>, escaped), got something else');
  return ref;
}

/** A device's segment: `a:<anonymous id>`. */
export const devicePart = (anonymousId: string): string => deviceRef(anonymousId);

/** A user's segment: `u:<user id>`. */
export const userPart = (userId: string): string => userRef(userId);

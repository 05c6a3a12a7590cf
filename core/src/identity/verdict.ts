/**
 * What the edge concluded of an `identify`: a user id is linked, read and
 * stitched only when the site's own server signed it (a short-lived HS256
 * token whose `sub` is the user id and `aud` the site key). The collect
 * answer carries the verdict, so a site sees at once why a login did not take.
 */

export const IDENTITY_REFUSALS = [
  /** No token came with the identify. */
  'token_missing',
  /** Not a JWT, or not HS256, or its signature is not the site's. */
  'token_invalid',
  /** Its `exp` has passed (or it has none). */
  'token_expired',
  /** Its `exp` lies further ahead than a short-lived token's may. */
  'token_lifetime',
  /** Its `nbf` or `iat` lies in the future. */
  'token_not_yet_valid',
  /** Signed for another site (`aud` is not this site key). */
  'token_audience',
  /** Signed for another user (`sub` is not the id identified as). */
  'token_subject',
  /** The site has no identity secret configured: nothing can be verified. */
  'identity_not_configured',
  /** An event claims a user id this visitor never verified (identify refused earlier, or never sent). */
  'not_verified',
] as const;

export type IdentityRefusal = (typeof IDENTITY_REFUSALS)[number];

export type IdentityVerdict = { verified: true; userId: string } | { verified: false; reason: IdentityRefusal };

/** The name of the `track` event an unverified identify is kept as: the claim stays visible in the data and links nothing. */
export const UNVERIFIED_IDENTIFY_EVENT = 'identify_unverified';

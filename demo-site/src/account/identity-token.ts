/**
 * The token that vouches for a signed-in visitor: the site's server signs who
 * is logged in, the browser only carries it to the edge in
 * `sessionflow.identify(userId, traits, { token })`. A JWT, HS256 with the
 * site's identity secret (the edge holds the same one per site key):
 * `sub` = the user id, `aud` = the site key, `iat` now and a short `exp`.
 */
import { sign } from 'hono/jwt';

/**
 * Ten minutes: the token is used once, by the identify of the page it was
 * rendered into (or of a sign-in), and a fresh one comes with every page load.
 * Long enough for an identify that waits in the SDK's queue through a short
 * outage; a leaked token is worth little for long. The edge refuses any `exp`
 * more than a day ahead.
 */
export const IDENTITY_TOKEN_TTL_S = 600;

export interface IdentityClaims {
  userId: string;
  siteKey: string;
  /** The site's identity secret (`SITE_IDENTITY_SECRET`). */
  secret: string;
  /** Seconds since the epoch (default: now). */
  now?: number;
  ttlSeconds?: number;
}

export function issueIdentityToken({ userId, siteKey, secret, now = Math.floor(Date.now() / 1000), ttlSeconds = IDENTITY_TOKEN_TTL_S }: IdentityClaims): Promise<string> {
  return sign({ sub: userId, aud: siteKey, iat: now, exp: now + ttlSeconds }, secret, 'HS256');
}

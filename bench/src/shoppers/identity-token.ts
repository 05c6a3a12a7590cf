/**
 * An identity token as the shop's server signs it when a shopper signs in
 * (sdk/README.md, "Identity verification"): HS256 with the site's identity
 * secret, `sub` the user id, `aud` the site key, a short `exp`; the SDK's
 * `identify(userId, traits, { token })` carries it in the identify event.
 */
import { sign } from 'hono/jwt';

export function signIdentityToken(o: { userId: string; siteKey: string; secret: string; nowMs: number; ttlSeconds?: number }): Promise<string> {
  const now = Math.floor(o.nowMs / 1000);
  return sign({ sub: o.userId, aud: o.siteKey, iat: now, exp: now + (o.ttlSeconds ?? 600) }, o.secret, 'HS256');
}

/**
 * An identity token as a site's server signs it (see sdk/README.md, "Identity
 * verification"): HS256 with the site's identity secret, `sub` the user id,
 * `aud` the site key, a short `exp`. Tests sign their own, the way the
 * storefront's server does, with hono's JWT helper.
 */
import { sign } from 'hono/jwt';

export function signIdentityToken(opts: { userId: string; siteKey: string; secret: string; ttlSeconds?: number }): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub: opts.userId, aud: opts.siteKey, iat: now, exp: now + (opts.ttlSeconds ?? 600) }, opts.secret, 'HS256');
}

/**
 * Who may post: a known site key (`?site=`) and either a browser page of that
 * site (an allowed Origin) or, only where the site allows requests without an
 * Origin, the site's own server (`Authorization: Bearer <server secret>`).
 * Runs before CORS, so refused origins never see an Access-Control-Allow-Origin
 * header.
 */
import { createMiddleware } from 'hono/factory';
import { bearerOf, sameSecret } from '../auth/bearer.js';
import type { SiteConfig } from '../config.js';
import { errorBody } from '../errors.js';
import type { EdgeEnv } from '../hono-env.js';

export type OriginCheck = { ok: true; caller: 'browser' | 'server' } | { ok: false; status: 401 | 403; code: 'origin_required' | 'origin_not_allowed'; reason: string };

export async function checkOrigin(site: SiteConfig, origin: string | undefined, authorization: string | undefined): Promise<OriginCheck> {
  if (origin !== undefined) {
    return site.origins.has(origin)
      ? { ok: true, caller: 'browser' }
      : { ok: false, status: 403, code: 'origin_not_allowed', reason: `origin ${origin} is not allowed for site ${site.siteKey}` };
  }
  if (!site.allowMissingOrigin) {
    return { ok: false, status: 401, code: 'origin_required', reason: `site ${site.siteKey} takes requests from its pages only (an allowed Origin header)` };
  }
  if (site.secrets.server === undefined) {
    return { ok: false, status: 401, code: 'origin_required', reason: `a request without an Origin needs the site's server secret, and SITE_SECRETS.${site.siteKey}.server is not set` };
  }
  if (!(await sameSecret(bearerOf(authorization), site.secrets.server))) {
    return { ok: false, status: 401, code: 'origin_required', reason: 'a request without an Origin needs Authorization: Bearer <the site\'s server secret>' };
  }
  return { ok: true, caller: 'server' };
}

export const siteGuard = createMiddleware<EdgeEnv>(async (c, next) => {
  const siteKey = c.req.query('site');
  const site = siteKey === undefined ? undefined : c.get('config').sites.get(siteKey);
  if (!site) {
    c.header('Vary', 'Origin');
    const message = siteKey === undefined ? 'missing ?site=<siteKey> query parameter' : `unknown site key ${JSON.stringify(siteKey)}`;
    return c.json(errorBody('unknown_site', message), 401);
  }
  const origin = await checkOrigin(site, c.req.header('origin'), c.req.header('authorization'));
  if (!origin.ok) {
    c.header('Vary', 'Origin');
    return c.json(errorBody(origin.code, origin.reason), origin.status);
  }
  c.set('site', site);
  c.set('caller', origin.caller);
  await next();
});

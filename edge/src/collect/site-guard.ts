/**
 * Who may post: a known site key (`?site=`) and, from a browser, an origin
 * that site allows. Runs before CORS, so refused origins never see an
 * Access-Control-Allow-Origin header.
 */
import { createMiddleware } from 'hono/factory';
import type { SiteConfig } from '../config.js';
import { errorBody } from '../errors.js';
import type { EdgeEnv } from '../hono-env.js';

export type OriginCheck = { ok: true } | { ok: false; reason: string };

export function checkOrigin(site: SiteConfig, origin: string | undefined): OriginCheck {
  if (origin === undefined) {
    return site.allowMissingOrigin
      ? { ok: true }
      : { ok: false, reason: `site ${site.siteKey} does not accept requests without an Origin header` };
  }
  return site.origins.has(origin) ? { ok: true } : { ok: false, reason: `origin ${origin} is not allowed for site ${site.siteKey}` };
}

export const siteGuard = createMiddleware<EdgeEnv>(async (c, next) => {
  const siteKey = c.req.query('site');
  const site = siteKey === undefined ? undefined : c.get('config').sites.get(siteKey);
  if (!site) {
    c.header('Vary', 'Origin');
    const message = siteKey === undefined ? 'missing ?site=<siteKey> query parameter' : `unknown site key ${JSON.stringify(siteKey)}`;
    return c.json(errorBody('unknown_site', message), 401);
  }
  const origin = checkOrigin(site, c.req.header('origin'));
  if (!origin.ok) {
    c.header('Vary', 'Origin');
    return c.json(errorBody('origin_not_allowed', origin.reason), 403);
  }
  c.set('site', site);
  await next();
});

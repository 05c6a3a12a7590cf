/**
 * `GET /v1/decide?site=<siteKey>&visitor=<anonymousId>&url=<page URL>[&rendered=1]`:
 * the same decision a collect answer carries, for a page rendered on the
 * site's server (which reads the visitor's `sf_aid` cookie). Only the site's
 * server may ask (`Authorization: Bearer <its server secret>`): anyone else
 * could read any visitor's decisions. Nothing is folded into the session,
 * and nothing at all is kept unless the server says it rendered the actions
 * (`rendered=1`): then they count as shown and the variants are kept.
 */
import { Hono } from 'hono';
import { bearerOf, sameSecret } from '../auth/bearer.js';
import { EdgeError, errorBody } from '../errors.js';
import type { EdgeEnv } from '../hono-env.js';
import { enforceSiteLimits } from '../limits/site-limits.js';
import type { EdgeAction, PageDecision } from '../visitor/visitor-do.js';
import { LEVEL_HEADER, LEVEL_REASON_HEADER } from '../collect/level-headers.js';

/** Core's id shape (8–64 of [A-Za-z0-9_.:-]). */
export const VISITOR_ID = /^[A-Za-z0-9_.:-]{8,64}$/;

export interface DecideResponse {
  actions: EdgeAction[];
  variants: Record<string, string>;
  /** Absent when the visitor has no open session. */
  sessionId?: string;
}

export const decideRoute = new Hono<EdgeEnv>();

decideRoute.get('/', async (c) => {
  const config = c.get('config');
  const siteKey = c.req.query('site');
  const site = siteKey === undefined ? undefined : config.sites.get(siteKey);
  if (!site) {
    return c.json(errorBody('unknown_site', siteKey === undefined ? 'missing ?site=<siteKey> query parameter' : `unknown site key ${JSON.stringify(siteKey)}`), 401);
  }
  if (site.secrets.server === undefined) {
    return c.json(errorBody('unauthorized', `decisions for a server need the site's server secret, and SITE_SECRETS.${site.siteKey}.server is not set`), 401);
  }
  if (!(await sameSecret(bearerOf(c.req.header('authorization')), site.secrets.server))) {
    return c.json(errorBody('unauthorized', 'GET /v1/decide needs Authorization: Bearer <the site\'s server secret>'), 401);
  }
  await enforceSiteLimits(c.env, { siteKey: site.siteKey, caller: 'server', clientIp: undefined, periodS: config.rateLimitPeriodS });
  const visitor = c.req.query('visitor') ?? '';
  if (!VISITOR_ID.test(visitor)) {
    throw new EdgeError(400, 'invalid_request', 'visitor: must be the anonymous id (8 to 64 of letters, digits and _ . : -)');
  }
  const url = c.req.query('url') ?? '';
  if (!/^https?:\/\/[^/]/i.test(url) || url.length > 2048) throw new EdgeError(400, 'invalid_request', 'url: must be the absolute http(s) URL of the page');
  const rendered = c.req.query('rendered');
  if (rendered !== undefined && rendered !== '0' && rendered !== '1') throw new EdgeError(400, 'invalid_request', 'rendered: must be 1 (the actions are shown) or 0');
  const namespace = c.env.VISITOR;
  if (namespace === undefined) throw new EdgeError(503, 'decisions_unavailable', 'no VISITOR Durable Object binding: decisions are off');
  const stub = namespace.get(namespace.idFromName(`${site.siteKey}:${visitor}`));
  // RPC's types turn `unknown` fields into `never`; the value is plain JSON.
  const decision = (await stub.decideNow({ anonymousId: visitor, url, nowMs: Date.now(), collectorUrl: config.collectorUrl, rendered: rendered === '1', degrade: config.degradePolicy })) as unknown as PageDecision;
  c.header('Cache-Control', 'no-store');
  c.header(LEVEL_HEADER, decision.level);
  if (decision.levelReason !== undefined) c.header(LEVEL_REASON_HEADER, decision.levelReason);
  const body: DecideResponse = { actions: decision.actions, variants: decision.variants };
  if (decision.sessionId !== undefined) body.sessionId = decision.sessionId;
  return c.json(body, 200);
});

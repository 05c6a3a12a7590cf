/**
 * `GET /v1/decide?site=<siteKey>&visitor=<anonymousId>&url=<page URL>`: the
 * same decision a collect answer carries, for a page rendered on a server
 * (which reads the visitor's `sf_aid` cookie). Nothing is folded into the
 * session; what is decided counts as shown.
 */
import { Hono } from 'hono';
import { collectCors } from '../collect/cors.js';
import { siteGuard } from '../collect/site-guard.js';
import { edgeConfig } from '../config.js';
import { EdgeError } from '../errors.js';
import type { EdgeEnv } from '../hono-env.js';
import type { EdgeAction, PageDecision } from '../visitor/visitor-do.js';

/** Core's id shape (8–64 of [A-Za-z0-9_.:-]). */
const VISITOR_ID = /^[A-Za-z0-9_.:-]{8,64}$/;

export interface DecideResponse {
  actions: EdgeAction[];
  variants: Record<string, string>;
  /** Absent when the visitor has no open session. */
  sessionId?: string;
}

export const decideRoute = new Hono<EdgeEnv>();

decideRoute.use('*', siteGuard, collectCors);

decideRoute.get('/', async (c) => {
  const visitor = c.req.query('visitor') ?? '';
  if (!VISITOR_ID.test(visitor)) {
    throw new EdgeError(400, 'invalid_request', 'visitor: must be the anonymous id (8 to 64 of letters, digits and _ . : -)');
  }
  const url = c.req.query('url') ?? '';
  if (!/^https?:\/\/[^/]/i.test(url) || url.length > 2048) throw new EdgeError(400, 'invalid_request', 'url: must be the absolute http(s) URL of the page');
  const namespace = c.env.VISITOR;
  if (namespace === undefined) throw new EdgeError(503, 'decisions_unavailable', 'no VISITOR Durable Object binding: decisions are off');
  const stub = namespace.get(namespace.idFromName(`${c.get('site').siteKey}:${visitor}`));
  // RPC's types turn `unknown` fields into `never`; the value is plain JSON.
  const decision = (await stub.decideNow({ anonymousId: visitor, url, nowMs: Date.now(), collectorUrl: edgeConfig(c.env).collectorUrl })) as unknown as PageDecision;
  c.header('Cache-Control', 'no-store');
  const body: DecideResponse = { actions: decision.actions, variants: decision.variants };
  if (decision.sessionId !== undefined) body.sessionId = decision.sessionId;
  return c.json(body, 200);
});

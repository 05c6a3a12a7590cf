/**
 * `/v1/admin/*`: what the collector's erasure calls, with the admin secret
 * (`Authorization: Bearer <ADMIN_SECRET>`; no or an unknown bearer 401, a
 * secret of another scope 403 `wrong_scope`).
 *
 * - `POST /v1/admin/erase` `{ "anonymousIds": [...] }` (1–1000): for every
 *   configured site, the object `<siteKey>:<anonymousId>` deletes its storage
 *   and alarm and forgets what it held in memory; `{ erased: <objects that
 *   held state> }`.
 * - `GET /v1/admin/visitors/:anonymousId?site=`: what that object stores,
 *   read without creating anything.
 * - `GET /v1/admin/rules`: the rules document in force, its version and
 *   source, and why the newest stored document is refused (`error`); the
 *   collector relays it to the console.
 */
import { Hono } from 'hono';
import { adminGuard } from '../auth/admin-guard.js';
import { checkMediaType, parseJsonBody, readBodyWithin } from '../collect/body.js';
import { VISITOR_ID } from '../decide/route.js';
import { EdgeError } from '../errors.js';
import type { EdgeEnv } from '../hono-env.js';
import type { VisitorInspection } from '../visitor/visitor-do.js';
import { sharedRulesStore } from '../rules/store.js';
import type { AdminRulesView } from '@sessionflow/core';

export const MAX_ERASE_IDS = 1000;
const MAX_ERASE_BODY_BYTES = 128 * 1024;
/** Objects erased at once: enough to be quick, few enough not to crowd the Worker's connections. */
const ERASE_CONCURRENCY = 32;

export const adminRoute = new Hono<EdgeEnv>();

adminRoute.use('*', adminGuard('/v1/admin/*'));

adminRoute.post('/erase', async (c) => {
  const bytes = await readBodyWithin(c.req.raw, MAX_ERASE_BODY_BYTES);
  checkMediaType(c.req.header('content-type'));
  const ids = anonymousIdsOf(parseJsonBody(bytes));
  const namespace = c.env.VISITOR;
  if (namespace === undefined) throw new EdgeError(503, 'decisions_unavailable', 'no VISITOR Durable Object binding: there are no visitor objects to erase');
  const names = [...c.get('config').sites.keys()].flatMap((siteKey) => ids.map((id) => `${siteKey}:${id}`));
  let erased = 0;
  for (let i = 0; i < names.length; i += ERASE_CONCURRENCY) {
    const outcomes = await Promise.all(names.slice(i, i + ERASE_CONCURRENCY).map((name) => namespace.get(namespace.idFromName(name)).erase()));
    erased += outcomes.filter((outcome) => outcome.held).length;
  }
  return c.json({ erased }, 200);
});

adminRoute.get('/visitors/:anonymousId', async (c) => {
  const anonymousId = c.req.param('anonymousId');
  if (!VISITOR_ID.test(anonymousId)) throw new EdgeError(400, 'invalid_request', 'anonymousId: must be an anonymous id (8 to 64 of letters, digits and _ . : -)');
  const siteKey = c.req.query('site');
  if (siteKey === undefined || !c.get('config').sites.has(siteKey)) throw new EdgeError(400, 'invalid_request', 'site: must be a site key of SITES');
  const namespace = c.env.VISITOR;
  if (namespace === undefined) throw new EdgeError(503, 'decisions_unavailable', 'no VISITOR Durable Object binding');
  const inspection = (await namespace.get(namespace.idFromName(`${siteKey}:${anonymousId}`)).inspect()) as unknown as VisitorInspection;
  return c.json(inspection, 200);
});

adminRoute.get('/rules', async (c) => {
  const served = await sharedRulesStore(c.env.RULES).fresh();
  const view: AdminRulesView = { version: served.version, source: served.source, document: served.rules, ...(served.error !== undefined ? { error: served.error } : {}) };
  c.header('Cache-Control', 'no-store');
  return c.json(view, 200);
});

function anonymousIdsOf(body: unknown): string[] {
  const ids = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)['anonymousIds'] : undefined;
  if (!Array.isArray(ids)) throw new EdgeError(400, 'invalid_request', 'anonymousIds: must be an array of anonymous ids');
  if (ids.length === 0 || ids.length > MAX_ERASE_IDS) throw new EdgeError(400, 'invalid_request', `anonymousIds: must hold 1 to ${MAX_ERASE_IDS} ids`);
  const bad = ids.findIndex((id) => typeof id !== 'string' || !VISITOR_ID.test(id));
  if (bad >= 0) throw new EdgeError(400, 'invalid_request', `anonymousIds.${bad}: must be an anonymous id (8 to 64 of letters, digits and _ . : -)`);
  return [...new Set(ids as string[])];
}

/**
 * The read API on the collector's hono app: recommendations, stock and
 * profiles from the online store the pipeline fills. Every route needs the
 * read secret; without a store (REDIS_URL unset) or while Redis is down they
 * answer 503 `read_store_unavailable`, and ingest is unaffected.
 *
 * A profile is asked for by kind: `/v1/profile/user/:userId` (a verified
 * user's, stitched across devices) or `/v1/profile/device/:anonymousId` (the
 * device's own). A device's read never answers with its linked user's profile:
 * who may read a user is decided by naming the user (the edge names one only
 * once the site's server signed it).
 */
import type { ProfileRef } from '@sessionflow/core';
import type { Context, Hono } from 'hono';
import { jsonError } from '../http/errors.js';
import type { Logger } from '../log.js';
import type { CollectorMetrics } from '../metrics.js';
import { parseInventoryQuery, parseProfilePath, parseRecsQuery, type QueryResult } from './query.js';
import type { ReadStore } from './store.js';
import { guardedRead } from './guarded-read.js';

export interface ReadRouteDeps {
  /** Undefined when no store is configured. */
  store: ReadStore | undefined;
  metrics: CollectorMetrics;
  now: () => number;
  logger: Logger;
}

export function addReadRoutes(app: Hono, deps: ReadRouteDeps): void {
  const badQuery = (c: Context, invalid: Extract<QueryResult<unknown>, { ok: false }>) => {
    deps.metrics.errors.inc({ kind: 'bad_request' });
    return jsonError(c, 400, 'invalid_query', `${invalid.field}: ${invalid.reason}`, { field: invalid.field });
  };
  /** Runs `read` against the store, turning a missing or failing store into 503. */
  const withStore = guardedRead(deps.store, deps);

  app.get('/v1/recs', (c) => {
    const query = parseRecsQuery(c.req.query());
    if (!query.ok) return badQuery(c, query);
    return withStore(c, async (store) => c.json(await store.recs(query.value, deps.now())));
  });

  app.get('/v1/inventory', (c) => {
    const query = parseInventoryQuery(c.req.query());
    if (!query.ok) return badQuery(c, query);
    return withStore(c, async (store) => c.json(await store.inventory(query.value.ids)));
  });

  const profile = (c: Context, kind: ProfileRef['kind'], id: string) => {
    const whose = parseProfilePath(kind, id);
    if (!whose.ok) return badQuery(c, whose);
    return withStore(c, async (store) => {
      const view = await store.profile(whose.value, deps.now());
      return view === null ? jsonError(c, 404, 'not_found', `no profile for this ${kind}`) : c.json(view);
    });
  };
  app.get('/v1/profile/user/:userId', (c) => profile(c, 'user', c.req.param('userId')));
  app.get('/v1/profile/device/:anonymousId', (c) => profile(c, 'device', c.req.param('anonymousId')));
  // The route that took either kind of id is gone: said out loud, since a 404 would read as "no profile yet".
  app.get('/v1/profile/:id', (c) =>
    jsonError(c, 410, 'route_removed', 'GET /v1/profile/:id is gone: read /v1/profile/user/:userId (a verified user) or /v1/profile/device/:anonymousId (a device\'s own profile)'),
  );
}

/**
 * The read API on the collector's hono app: recommendations, stock and
 * profiles from the online store the pipeline fills. Every route needs the
 * read secret; without a store (REDIS_URL unset) or while Redis is down they
 * answer 503 `read_store_unavailable`, and ingest is unaffected.
 */
import type { Context, Hono } from 'hono';
import { jsonError } from '../http/errors.js';
import type { Logger } from '../log.js';
import type { CollectorMetrics } from '../metrics.js';
import { parseInventoryQuery, parseRecsQuery, type QueryResult } from './query.js';
import { ReadStoreUnavailableError, type ReadStore } from './store.js';

export interface ReadRouteDeps {
  /** Undefined when no store is configured. */
  store: ReadStore | undefined;
  metrics: CollectorMetrics;
  now: () => number;
  logger: Logger;
}

export function addReadRoutes(app: Hono, deps: ReadRouteDeps): void {
  const unavailable = (c: Context, reason: string) => {
    deps.metrics.errors.inc({ kind: 'read_store_unavailable' });
    return jsonError(c, 503, 'read_store_unavailable', reason);
  };
  const badQuery = (c: Context, invalid: Extract<QueryResult<unknown>, { ok: false }>) => {
    deps.metrics.errors.inc({ kind: 'bad_request' });
    return jsonError(c, 400, 'invalid_query', `${invalid.field}: ${invalid.reason}`, { field: invalid.field });
  };
  /** Runs `read` against the store, turning a missing or failing store into 503. */
  const withStore = async (c: Context, read: (store: ReadStore) => Promise<Response>): Promise<Response> => {
    const { store } = deps;
    if (store === undefined) return unavailable(c, 'the read store is not configured (REDIS_URL is not set)');
    if (!store.available()) return unavailable(c, 'the read store (Redis) is not reachable');
    try {
      return await read(store);
    } catch (error) {
      if (!(error instanceof ReadStoreUnavailableError)) throw error;
      deps.logger.warn('read store failed', { error });
      return unavailable(c, error.message);
    }
  };

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

  app.get('/v1/profile/:id', (c) => {
    const id = c.req.param('id');
    if (id.length === 0 || id.length > 256) {
      return badQuery(c, { ok: false, field: 'id', reason: 'must be 1 to 256 characters' });
    }
    return withStore(c, async (store) => {
      const profile = await store.profile(id, deps.now());
      return profile === null ? jsonError(c, 404, 'not_found', `no profile for ${id}`) : c.json(profile);
    });
  });
}

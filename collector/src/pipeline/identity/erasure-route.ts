/**
 * `DELETE /v1/users/:id` on the collector: erases a user (erasure.ts) and
 * answers 202 with what was removed. Behind the admin secret (ADMIN_SECRET, app.ts).
 * 202 rather than 200: Redis and the compacted topics are done when it
 * answers, but compaction removes the older values later.
 */
import type { Hono } from 'hono';
import { jsonError } from '../../http/errors.js';
import type { Logger } from '../../log.js';
import type { CollectorMetrics } from '../../metrics.js';
import type { ErasureResult } from './erasure.js';

export interface ErasureRouteDeps {
  /** Undefined when no store is configured (REDIS_URL unset). */
  erase: ((userId: string, nowMs: number) => Promise<ErasureResult>) | undefined;
  metrics: CollectorMetrics;
  now: () => number;
  logger: Logger;
}

export function addErasureRoute(app: Hono, deps: ErasureRouteDeps): void {
  app.delete('/v1/users/:id', async (c) => {
    const id = c.req.param('id');
    if (id.length === 0 || id.length > 256) {
      deps.metrics.errors.inc({ kind: 'bad_request' });
      return jsonError(c, 400, 'invalid_query', 'id: must be 1 to 256 characters', { field: 'id' });
    }
    if (deps.erase === undefined) {
      deps.metrics.errors.inc({ kind: 'read_store_unavailable' });
      return jsonError(c, 503, 'read_store_unavailable', 'erasure needs the store (REDIS_URL is not set)');
    }
    try {
      const result = await deps.erase(id, deps.now());
      deps.logger.info('user erased', { userId: id, devices: result.anonymousIds.length, redisKeysRemoved: result.redisKeysRemoved });
      return c.json(result, 202);
    } catch (error) {
      deps.metrics.errors.inc({ kind: 'erasure_failed' });
      deps.logger.warn('erasure failed', { error });
      return jsonError(c, 503, 'erasure_failed', `the erasure did not complete, retry it (it is idempotent): ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

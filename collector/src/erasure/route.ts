/**
 * `DELETE /v1/users/:userId` on the collector: erases a user (erase-user.ts)
 * and answers 202 with what was removed, where, and what the edge erased.
 * Behind the admin secret (ADMIN_SECRET, app.ts). 202 rather than 200: Redis,
 * the edge and the compacted topics are done when it answers, but compaction
 * removes the older values later.
 *
 * The log names the erasure by the user's mark (marks.ts), never by an id.
 */
import type { Hono } from 'hono';
import * as v from 'valibot';
import { UserIdSchema } from '@sessionflow/core';
import { jsonError } from '../http/errors.js';
import type { Logger } from '../log.js';
import type { CollectorMetrics } from '../metrics.js';
import { EdgeUnavailableError } from './edge.js';
import type { ErasureResult } from './erase-user.js';

/** What a failed erasure tells the caller to wait before the retry. */
export const ERASURE_RETRY_AFTER_S = 5;

export interface ErasureRouteDeps {
  /** Undefined when no store is configured (REDIS_URL unset). */
  erasure: { erase(userId: string): Promise<ErasureResult>; markOf(userId: string): string } | undefined;
  metrics: CollectorMetrics;
  logger: Logger;
}

export function addErasureRoute(app: Hono, deps: ErasureRouteDeps): void {
  app.delete('/v1/users/:userId', async (c) => {
    const checked = v.safeParse(UserIdSchema, c.req.param('userId'));
    if (!checked.success) {
      deps.metrics.errors.inc({ kind: 'bad_request' });
      const reason = checked.issues[0]?.message ?? 'is invalid';
      return jsonError(c, 400, 'invalid_query', `userId: ${reason}`, { field: 'userId' });
    }
    const userId = checked.output;
    const { erasure } = deps;
    if (erasure === undefined) {
      deps.metrics.errors.inc({ kind: 'read_store_unavailable' });
      return jsonError(c, 503, 'read_store_unavailable', 'erasure needs the store (REDIS_URL is not set)');
    }
    const mark = erasure.markOf(userId);
    try {
      const result = await erasure.erase(userId);
      deps.logger.info('user erased', {
        mark,
        devices: result.anonymousIds.length,
        sessions: result.tombstones.sessions.length,
        redisKeysRemoved: result.redisKeysRemoved,
        edge: result.edge.reached ? { devices: result.edge.devices, requests: result.edge.requests, objectsErased: result.edge.objectsErased } : 'not asked: EDGE_URL is not set',
      });
      return c.json(result, 202);
    } catch (error) {
      if (error instanceof EdgeUnavailableError) {
        deps.metrics.errors.inc({ kind: 'edge_unavailable' });
        deps.logger.warn('erasure stopped: the edge did not erase', { mark, error });
        c.header('retry-after', String(error.retryAfterSeconds));
        return jsonError(c, 503, 'edge_unavailable', `${error.message}; nothing else was erased yet: retry (the erasure is idempotent)`);
      }
      deps.metrics.errors.inc({ kind: 'erasure_failed' });
      deps.logger.warn('erasure failed', { mark, error });
      c.header('retry-after', String(ERASURE_RETRY_AFTER_S));
      return jsonError(c, 503, 'erasure_failed', `the erasure did not complete, retry it (it is idempotent, and a retry finishes what this one began): ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

/**
 * How every read route meets its store: a missing store (REDIS_URL unset) or
 * one that is down is 503 `read_store_unavailable` with the reason, counted in
 * the errors metric, and a read that fails on the way is the same; any other
 * error is the route's own.
 */
import type { Context } from 'hono';
import { jsonError } from '../http/errors.js';
import type { Logger } from '../log.js';
import type { CollectorMetrics } from '../metrics.js';
import { ReadStoreUnavailableError } from './store.js';

export type GuardedRead<R> = (c: Context, read: (reads: R) => Promise<Response>) => Promise<Response>;

export function guardedRead<R extends { available(): boolean }>(
  reads: R | undefined,
  deps: { metrics: CollectorMetrics; logger: Logger },
): GuardedRead<R> {
  const unavailable = (c: Context, reason: string) => {
    deps.metrics.errors.inc({ kind: 'read_store_unavailable' });
    return jsonError(c, 503, 'read_store_unavailable', reason);
  };
  return async (c, read) => {
    if (reads === undefined) return unavailable(c, 'the read store is not configured (REDIS_URL is not set)');
    if (!reads.available()) return unavailable(c, 'the read store (Redis) is not reachable');
    try {
      return await read(reads);
    } catch (error) {
      if (!(error instanceof ReadStoreUnavailableError)) throw error;
      deps.logger.warn('read store failed', { error });
      return unavailable(c, error.message);
    }
  };
}

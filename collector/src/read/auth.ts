/**
 * The bearer secret that guards the read API and the catalog feed, with hono's
 * bearerAuth (constant-time comparison) answering in the collector's JSON
 * error shape instead of plain text.
 */
import type { MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import type { ErrorBody } from '../http/errors.js';
import type { CollectorMetrics } from '../metrics.js';

export function readSecretAuth(secret: string, metrics: CollectorMetrics): MiddlewareHandler {
  const refuse = (error: 'unauthorized' | 'bad_request', message: string) => (): ErrorBody => {
    metrics.errors.inc({ kind: error });
    return { error, message };
  };
  return bearerAuth({
    token: secret,
    noAuthenticationHeader: { message: refuse('unauthorized', 'missing authorization: Bearer <read secret>') },
    invalidAuthenticationHeader: { message: refuse('bad_request', 'authorization must be "Bearer <read secret>"') },
    invalidToken: { message: refuse('unauthorized', 'the bearer token is not the read secret') },
  });
}

/**
 * Every secret has one scope (DESIGN.md): the relay's HMAC key signs ingest,
 * the read secret the edge's reads, the catalog secret the catalog feed, the
 * admin secret erasure; the erasure and edge-admin secrets are never presented
 * to the collector at all. A route takes only its own scope's secret:
 *
 * - no bearer, or a token that is no secret of ours: 401 `unauthorized`;
 * - a secret of another scope: 403 `wrong_scope` (the caller holds a real
 *   secret and used the wrong one: a configuration mistake worth naming);
 * - a malformed header: 400 `bad_request`.
 *
 * hono's bearerAuth parses the header; every comparison is hono's
 * `timingSafeEqual` (constant time over SHA-256 digests), against every
 * secret, so the time taken does not tell which one was close.
 */
import type { MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { HTTPException } from 'hono/http-exception';
import { timingSafeEqual } from 'hono/utils/buffer';
import type { CollectorConfig } from '../config.js';
import type { ErrorBody } from '../http/errors.js';
import type { CollectorMetrics } from '../metrics.js';

export type Scope = 'relay' | 'read' | 'catalog' | 'admin' | 'erasure' | 'edgeAdmin';
export type BearerScope = 'read' | 'catalog' | 'admin';

/** The secrets by scope; the last two only when configured. */
export type ScopeSecrets = Record<Exclude<Scope, 'erasure' | 'edgeAdmin'>, string> & Partial<Record<'erasure' | 'edgeAdmin', string>>;

/** The variable that holds each scope's secret, for messages. */
export const SCOPE_VARIABLES: Readonly<Record<Scope, string>> = Object.freeze({
  relay: 'RELAY_HMAC_SECRET',
  read: 'READ_API_SECRET',
  catalog: 'CATALOG_SECRET',
  admin: 'ADMIN_SECRET',
  erasure: 'ERASURE_SECRET',
  edgeAdmin: 'EDGE_ADMIN_SECRET',
});

export type ScopeConfig = Pick<CollectorConfig, 'relaySecret' | 'readSecret' | 'catalogSecret' | 'adminSecret'> & Partial<Pick<CollectorConfig, 'erasureSecret' | 'edgeAdminSecret'>>;

export function scopeSecrets(config: ScopeConfig): ScopeSecrets {
  return {
    relay: config.relaySecret,
    read: config.readSecret,
    catalog: config.catalogSecret,
    admin: config.adminSecret,
    ...(config.erasureSecret !== undefined ? { erasure: config.erasureSecret } : {}),
    ...(config.edgeAdminSecret !== undefined ? { edgeAdmin: config.edgeAdminSecret } : {}),
  };
}

/** The other scopes' secrets, for telling a wrong scope from an unknown token. */
export function otherScopes(secrets: ScopeSecrets, scope: Scope): { scope: Scope; secret: string }[] {
  return (Object.entries(secrets) as [Scope, string | undefined][]).flatMap(([other, secret]) => (other !== scope && secret !== undefined ? [{ scope: other, secret }] : []));
}

/** The 403 answer: names both variables, never a value. */
export function wrongScopeBody(scope: Scope, presented: Scope): ErrorBody {
  return {
    error: 'wrong_scope',
    message: `this route takes ${SCOPE_VARIABLES[scope]}; the credential presented is ${SCOPE_VARIABLES[presented]}, a secret of another scope`,
  };
}

/** Middleware: the route takes the bearer secret of `scope` and no other. */
export function scopeAuth(scope: BearerScope, secrets: ScopeSecrets, metrics: CollectorMetrics): MiddlewareHandler {
  const variable = SCOPE_VARIABLES[scope];
  const refuse = (error: 'unauthorized' | 'bad_request', message: string) => (): ErrorBody => {
    metrics.errors.inc({ kind: error });
    return { error, message };
  };
  const others = otherScopes(secrets, scope);
  return bearerAuth({
    verifyToken: async (token) => {
      const matches = await Promise.all([secrets[scope], ...others.map((o) => o.secret)].map((secret) => timingSafeEqual(secret, token)));
      if (matches[0] === true) return true;
      const other = others.find((_, i) => matches[i + 1] === true);
      if (other !== undefined) {
        metrics.errors.inc({ kind: 'wrong_scope' });
        throw new HTTPException(403, { res: Response.json(wrongScopeBody(scope, other.scope), { status: 403 }) });
      }
      return false;
    },
    noAuthenticationHeader: { message: refuse('unauthorized', `missing authorization: Bearer <${variable}>`) },
    invalidAuthenticationHeader: { message: refuse('bad_request', `authorization must be "Bearer <${variable}>"`) },
    invalidToken: { message: refuse('unauthorized', `the bearer token is not ${variable}`) },
  });
}

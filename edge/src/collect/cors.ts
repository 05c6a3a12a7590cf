/**
 * CORS for /v1/collect. Runs after the site guard, which has already refused
 * unknown sites and disallowed origins; the origin is still checked against the
 * site here so this middleware is right on its own. It echoes the origin (never
 * `*`), answers preflights, and, set before the handler runs, its headers stay
 * on error answers too, so the SDK can read them.
 */
import { cors } from 'hono/cors';
import type { Context } from 'hono';
import type { EdgeEnv } from '../hono-env.js';
import { LEVEL_HEADER, LEVEL_REASON_HEADER } from './level-headers.js';

export const PREFLIGHT_MAX_AGE_S = 86_400;

export const collectCors = cors({
  origin: (origin: string, c: Context<EdgeEnv>) => (origin !== '' && c.get('site').origins.has(origin) ? origin : null),
  allowMethods: ['POST'],
  allowHeaders: ['content-type'],
  // The SDK's backoff honours Retry-After, and the level says what the actions were decided at; a browser hides
  // both from cross-origin code unless exposed.
  exposeHeaders: ['Retry-After', LEVEL_HEADER, LEVEL_REASON_HEADER],
  maxAge: PREFLIGHT_MAX_AGE_S,
});

/**
 * The admin bearer (`Authorization: Bearer <ADMIN_SECRET>`) in front of
 * `/v1/admin/*` and `/metrics`: no or an unknown bearer 401, a secret of
 * another scope 403 `wrong_scope`, and everything closed while ADMIN_SECRET
 * is not set.
 */
import { createMiddleware } from 'hono/factory';
import type { EdgeConfig } from '../config.js';
import { errorBody } from '../errors.js';
import type { EdgeEnv } from '../hono-env.js';
import { anySecret, bearerOf, sameSecret } from './bearer.js';

const otherSecrets = (config: EdgeConfig): (string | undefined)[] => [
  config.relaySecret === null ? undefined : new TextDecoder().decode(config.relaySecret),
  config.readSecret ?? undefined,
  ...[...config.sites.values()].flatMap((site) => [site.secrets.identity, site.secrets.server]),
];

/** `what` names the routes in the refusals (`/v1/admin/*`, `/metrics`). */
export const adminGuard = (what: string) =>
  createMiddleware<EdgeEnv>(async (c, next) => {
    const config = c.get('config');
    if (config.adminSecret === null) return c.json(errorBody('unauthorized', `ADMIN_SECRET is not set on the edge: ${what} is closed`), 401);
    const bearer = bearerOf(c.req.header('authorization'));
    if (bearer === undefined) return c.json(errorBody('unauthorized', `${what} needs Authorization: Bearer <ADMIN_SECRET>`), 401);
    if (!(await sameSecret(bearer, config.adminSecret))) {
      if (await anySecret(bearer, otherSecrets(config))) return c.json(errorBody('wrong_scope', `this secret is not the admin secret: ${what} needs ADMIN_SECRET`), 403);
      return c.json(errorBody('unauthorized', `unknown bearer: ${what} needs ADMIN_SECRET`), 401);
    }
    await next();
  });

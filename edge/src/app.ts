/**
 * The edge Worker's HTTP surface. Every answer is JSON, including 404s and
 * unexpected errors, never the runtime's HTML page.
 */
import { Hono } from 'hono';
import { adminRoute } from './admin/route.js';
import { collect } from './collect/route.js';
import { decideRoute } from './decide/route.js';
import { edgeConfig, requireRelaySecret } from './config.js';
import { EdgeError, errorBody } from './errors.js';
import type { EdgeEnv } from './hono-env.js';
import { metricsRoute } from './metrics/route.js';

export function createApp(): Hono<EdgeEnv> {
  const app = new Hono<EdgeEnv>();

  app.use('*', async (c, next) => {
    c.set('config', edgeConfig(c.env));
    await next();
  });

  // Healthy means ready to relay: the config parsed and the relay secret is set.
  app.get('/healthz', (c) => {
    requireRelaySecret(c.get('config'));
    return c.json({ status: 'ok', service: 'sessionflow-edge' });
  });

  app.route('/v1/collect', collect);
  app.route('/v1/decide', decideRoute);
  app.route('/v1/admin', adminRoute);
  app.route('/metrics', metricsRoute);

  app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404));

  app.onError((err, c) => {
    if (err instanceof EdgeError) {
      if (err.status >= 500) console.error(`${err.code}: ${err.message}`);
      return c.json(errorBody(err.code, err.message), err.status, err.headers);
    }
    console.error('unhandled error', err);
    return c.json(errorBody('internal_error', 'the edge failed to handle this request'), 500);
  });

  return app;
}

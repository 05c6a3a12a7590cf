/**
 * `GET /metrics`: the degradation of this isolate in Prometheus text, behind
 * the admin bearer (as `/v1/admin/*`). The level is stepped first, so a scrape
 * between requests still shows the level the next decision would be made at.
 * Locally (wrangler dev) the Worker and its visitor objects share one isolate,
 * so this is the edge; on Cloudflare it is the isolate that answered (the
 * level of every batch also travels in the relay envelope, `edge.level`).
 */
import { Hono } from 'hono';
import { adminGuard } from '../auth/admin-guard.js';
import { metricsText, METRICS_CONTENT_TYPE } from '../degrade/metrics-text.js';
import { degradationOf } from '../degrade/registry.js';
import type { EdgeEnv } from '../hono-env.js';

export const metricsRoute = new Hono<EdgeEnv>();

metricsRoute.use('*', adminGuard('/metrics'));

metricsRoute.get('/', (c) => {
  const config = c.get('config');
  const now = Date.now();
  const degradation = degradationOf(config.collectorUrl, now);
  const inForce = degradation.levelAt(now, config.degradePolicy);
  const answeredAt = degradation.upstream.answeredAtMs();
  const body = metricsText({
    inForce,
    changes: degradation.changeCounts(),
    signals: degradation.signals(now),
    upstream: degradation.upstream.current(now),
    upstreamAgeS: answeredAt === undefined ? undefined : (now - answeredAt) / 1000,
  });
  return c.body(body, 200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' });
});

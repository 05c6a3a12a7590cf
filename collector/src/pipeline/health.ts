/** The pipeline's probes as a hono app: `/healthz` while the process is up, `/readyz` once it consumes and Redis answers, `/metrics` for Prometheus. */
import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import { jsonError } from '../http/errors.js';

export interface PipelineProbes {
  /** The consumer is a member of its group. */
  joined(): boolean;
  /** Redis answers now. */
  storeAnswers(): Promise<boolean>;
  /** The stages' metrics (metrics.ts). */
  metrics: Registry;
}

export function createHealthApp(probes: PipelineProbes): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    if (!probes.joined()) return jsonError(c, 503, 'not_ready', 'the consumer has not joined its group');
    if (!(await probes.storeAnswers())) return jsonError(c, 503, 'not_ready', 'Redis does not answer');
    return c.json({ status: 'ready' });
  });
  app.get('/metrics', async (c) => c.body(await probes.metrics.metrics(), 200, { 'content-type': probes.metrics.contentType }));
  app.notFound((c) => jsonError(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`));
  return app;
}

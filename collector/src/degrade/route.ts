/**
 * `GET /v1/degradation` (read scope, checked before, app.ts): the level the edge should decide at, the worst
 * of the collector's and the pipeline's, with each part's own (degradation-view.ts). It answers whatever
 * Redis does: without the pipeline's reports the pipeline part says so (null, or silent).
 */
import type { Hono } from 'hono';
import { jsonError } from '../http/errors.js';
import type { Degradation } from './degradation.js';

export function addDegradationRoute(app: Hono, deps: { degradation: Degradation | undefined; now: () => number }): void {
  app.get('/v1/degradation', async (c) => {
    if (deps.degradation === undefined) return jsonError(c, 503, 'degradation_unavailable', 'this collector does not measure its degradation level');
    c.header('cache-control', 'no-store');
    return c.json(await deps.degradation.view(deps.now()));
  });
}

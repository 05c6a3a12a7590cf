/**
 * The floor under `edge.cpu_us_per_request`: a bare hono route in the same
 * workerd as the edge Worker (a second Worker of the direct phase's
 * Miniflare, workerd-direct-main.ts), posted the same collect bodies with the
 * same headers. It reads the body (local workerd breaks the connection behind
 * a request answered before its body was consumed) and answers a fixed JSON:
 * what a request costs workerd, Miniflare's entry Worker and hono before any
 * of the edge's own work.
 */
import { Hono } from 'hono';
import { BARE_PATH } from './bare-path.js';

const app = new Hono();

app.post(BARE_PATH, async (c) => {
  await c.req.arrayBuffer();
  return c.json({ accepted: 0, rejected: [], actions: [] });
});

export default app;

/**
 * The People page's reads and the erasure: a profile and the recommendations it would get now,
 * and `DELETE /v1/users/:userId` on the collector (admin scope), asked for with a POST from the
 * page after its confirmation dialog. Ids are checked here so a bad one gets a 400 naming the field.
 */
import type { Hono } from 'hono';
import type { CollectorClient } from '../upstream/collector.js';
import { UpstreamError } from '../upstream/collector.js';

export const RECS_SHOWN = 8;

export function addPeopleRoutes(app: Hono, collector: CollectorClient): void {
  app.get('/api/people/:kind/:id', async (c) => {
    const kind = c.req.param('kind');
    const id = c.req.param('id');
    if (kind !== 'user' && kind !== 'device') return c.json({ error: 'invalid_query', message: 'kind: must be user or device', field: 'kind' }, 400);
    if (id.length < 1 || id.length > 256) return c.json({ error: 'invalid_query', message: 'id: must be 1 to 256 characters', field: 'id' }, 400);
    const problems: string[] = [];
    const [profile, recs] = await Promise.all([
      collector.profile(kind, id).catch((e: unknown) => (problems.push(`profile: ${msg(e)}`), null)),
      collector.recs(kind, id, RECS_SHOWN).catch((e: unknown) => (problems.push(`recommendations: ${msg(e)}`), null)),
    ]);
    return c.json({ kind, id, profile, recs, problems });
  });

  app.post('/api/people/user/:id/erase', async (c) => {
    const id = c.req.param('id');
    if (id.length < 1 || id.length > 256) return c.json({ error: 'invalid_query', message: 'id: must be 1 to 256 characters', field: 'id' }, 400);
    try {
      return c.json({ erased: id, collector: await collector.eraseUser(id) });
    } catch (error) {
      const status = error instanceof UpstreamError && error.status >= 400 && error.status < 600 ? error.status : 502;
      return c.json({ error: 'erase_failed', message: msg(error) }, status as 400);
    }
  });
}

const msg = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The read API's experiment readouts and funnel rollups, next to the routes of
 * routes.ts and answering the same way: the read secret is checked before
 * (app.ts), a missing or failing store is 503 `read_store_unavailable`, a bad
 * query is 400 `invalid_query` naming the field.
 */
import type { Hono } from 'hono';
import * as v from 'valibot';
import { jsonError } from '../http/errors.js';
import type { Logger } from '../log.js';
import type { CollectorMetrics } from '../metrics.js';
import type { ExperimentSetup } from '../pipeline/experiments/config.js';
import { lastMinutes } from '../pipeline/rollups/minute.js';
import type { AggregateReads } from './aggregate-store.js';
import { experimentView } from './experiment-view.js';
import { funnelView } from './funnel-view.js';
import { guardedRead } from './guarded-read.js';

export const FUNNEL_DEFAULT_MINUTES = 15;
/** A day: the rollups are kept for two. */
export const FUNNEL_MAX_MINUTES = 1440;

export interface AggregateRouteDeps {
  /** Undefined when no store is configured. */
  reads: AggregateReads | undefined;
  experiments: readonly ExperimentSetup[];
  metrics: CollectorMetrics;
  now: () => number;
  logger: Logger;
}

const FunnelQuerySchema = v.object({
  minutes: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,6}$/, 'must be a whole number of minutes'),
      v.transform(Number),
      v.minValue(1, 'must be at least 1'),
      v.maxValue(FUNNEL_MAX_MINUTES, `must be at most ${FUNNEL_MAX_MINUTES}`),
    ),
    String(FUNNEL_DEFAULT_MINUTES),
  ),
});

export function addAggregateRoutes(app: Hono, deps: AggregateRouteDeps): void {
  const experiments = new Map(deps.experiments.map((setup) => [setup.experiment.key, setup]));
  const withReads = guardedRead(deps.reads, deps);

  app.get('/v1/experiments/:key', (c) => {
    const key = c.req.param('key');
    const setup = experiments.get(key);
    if (setup === undefined) {
      const known = [...experiments.keys()];
      return jsonError(c, 404, 'not_found', `no experiment "${key.slice(0, 64)}" is configured (EXPERIMENTS lists ${known.length > 0 ? known.join(', ') : 'none'})`, {
        field: 'key',
      });
    }
    return withReads(c, async (reads) => c.json(experimentView(setup, await reads.experimentCounts(key), deps.now())));
  });

  app.get('/v1/rollups/funnel', (c) => {
    const parsed = v.safeParse(FunnelQuerySchema, c.req.query());
    if (!parsed.success) {
      const issue = parsed.issues[0];
      const field = issue ? (v.getDotPath(issue) ?? 'minutes') : 'minutes';
      deps.metrics.errors.inc({ kind: 'bad_request' });
      return jsonError(c, 400, 'invalid_query', `${field}: ${issue?.message ?? 'is invalid'}`, { field });
    }
    const now = deps.now();
    return withReads(c, async (reads) => c.json(funnelView(await reads.funnel(lastMinutes(now, parsed.output.minutes)), now)));
  });
}

/**
 * The console's reads on the collector (core's read/views.ts names their
 * bodies), answering like the other read routes: the read secret is checked
 * before (app.ts), a missing or failing store is 503 `read_store_unavailable`,
 * a bad query 400 `invalid_query` naming the field.
 *
 *   GET /v1/sessions/open?limit=1..200 (50)   the open sessions, the most recently active first
 *   GET /v1/sessions/:sessionId               one session, 404 not_found
 *   GET /v1/rules/fires?minutes=1..1440 (15)  rule fires per minute
 *   GET /v1/experiments                       the configured experiments
 *   GET /v1/admin/rules (admin scope)         the edge's rules in force, relayed (edge-rules.ts)
 */
import type { Context, Hono } from 'hono';
import * as v from 'valibot';
import { IdSchema, type ExperimentsListView, type RuleFiresView } from '@sessionflow/core';
import { jsonError } from '../../http/errors.js';
import type { Logger } from '../../log.js';
import type { CollectorMetrics } from '../../metrics.js';
import type { ExperimentSetup } from '../../pipeline/experiments/config.js';
import { lastMinutes } from '../../pipeline/rollups/minute.js';
import { EdgeRulesError, type EdgeRulesReader } from './edge-rules.js';
import type { ConsoleReads } from './store.js';
import { guardedRead } from '../guarded-read.js';

export const OPEN_SESSIONS_DEFAULT_LIMIT = 50;
export const OPEN_SESSIONS_MAX_LIMIT = 200;
export const RULE_FIRES_DEFAULT_MINUTES = 15;
/** A day: the rule-fire rollups are kept for two, like the funnel's. */
export const RULE_FIRES_MAX_MINUTES = 1440;
/** What a 503 of the rules relay tells the caller to wait. */
const EDGE_RETRY_AFTER_S = 5;

export interface ConsoleRouteDeps {
  /** Undefined when no store is configured. */
  reads: ConsoleReads | undefined;
  experiments: readonly ExperimentSetup[];
  /** Undefined without EDGE_URL and EDGE_ADMIN_SECRET. */
  edgeRules: EdgeRulesReader | undefined;
  metrics: CollectorMetrics;
  now: () => number;
  logger: Logger;
}

const wholeNumber = (name: string, min: number, max: number, fallback: number) =>
  v.optional(v.pipe(v.string(), v.regex(/^\d{1,6}$/, `must be a whole number of ${name}`), v.transform(Number), v.minValue(min, `must be at least ${min}`), v.maxValue(max, `must be at most ${max}`)), String(fallback));

const OpenQuerySchema = v.object({ limit: wholeNumber('sessions', 1, OPEN_SESSIONS_MAX_LIMIT, OPEN_SESSIONS_DEFAULT_LIMIT) });
const FiresQuerySchema = v.object({ minutes: wholeNumber('minutes', 1, RULE_FIRES_MAX_MINUTES, RULE_FIRES_DEFAULT_MINUTES) });

export function addConsoleRoutes(app: Hono, deps: ConsoleRouteDeps): void {
  const badQuery = (c: Context, field: string, reason: string) => {
    deps.metrics.errors.inc({ kind: 'bad_request' });
    return jsonError(c, 400, 'invalid_query', `${field}: ${reason}`, { field });
  };
  const query = <T>(c: Context, schema: v.GenericSchema<unknown, T>, field: string): { ok: true; value: T } | { ok: false; response: Response } => {
    const parsed = v.safeParse(schema, c.req.query());
    if (parsed.success) return { ok: true, value: parsed.output };
    const issue = parsed.issues[0];
    return { ok: false, response: badQuery(c, issue ? (v.getDotPath(issue) ?? field) : field, issue?.message ?? 'is invalid') };
  };
  const withReads = guardedRead(deps.reads, deps);

  app.get('/v1/sessions/open', (c) => {
    const parsed = query(c, OpenQuerySchema, 'limit');
    if (!parsed.ok) return parsed.response;
    return withReads(c, async (reads) => c.json(await reads.openSessions(parsed.value.limit, deps.now())));
  });

  app.get('/v1/sessions/:sessionId', (c) => {
    const sessionId = c.req.param('sessionId');
    if (!v.is(IdSchema, sessionId)) return badQuery(c, 'sessionId', 'must be a session id (8 to 64 of letters, digits and _ . : -)');
    return withReads(c, async (reads) => {
      const view = await reads.session(sessionId, deps.now());
      return view === null ? jsonError(c, 404, 'not_found', 'no session by this id is kept (it never was, or it ended and was let go)', { field: 'sessionId' }) : c.json(view);
    });
  });

  app.get('/v1/rules/fires', (c) => {
    const parsed = query(c, FiresQuerySchema, 'minutes');
    if (!parsed.ok) return parsed.response;
    const minutes = lastMinutes(deps.now(), parsed.value.minutes);
    return withReads(c, async (reads) => {
      const fires = await reads.ruleFires(minutes);
      const rules = [...fires]
        .map(([ruleId, counts]) => ({ ruleId, fired: counts.reduce((sum, n) => sum + n, 0), perMinute: minutes.map((minute, i) => ({ minute, fired: counts[i] ?? 0 })) }))
        .sort((a, b) => b.fired - a.fired || (a.ruleId < b.ruleId ? -1 : 1));
      const view: RuleFiresView = { from: minutes[0]!, to: minutes.at(-1)!, rules };
      return c.json(view);
    });
  });

  app.get('/v1/experiments', (c) => {
    const view: ExperimentsListView = { experiments: deps.experiments.map(({ experiment }) => ({ key: experiment.key, variants: experiment.variants.map((variant) => variant.name) })) };
    return c.json(view);
  });

  app.get('/v1/admin/rules', async (c) => {
    const { edgeRules } = deps;
    if (edgeRules === undefined) {
      return jsonError(c, 503, 'edge_not_configured', 'EDGE_URL and EDGE_ADMIN_SECRET must be set for the collector to read the edge\'s rules');
    }
    try {
      return c.json(await edgeRules.read());
    } catch (error) {
      if (!(error instanceof EdgeRulesError)) throw error;
      deps.logger.warn('edge rules read failed', { error });
      c.header('retry-after', String(EDGE_RETRY_AFTER_S));
      return jsonError(c, 503, 'edge_unavailable', error.message);
    }
  });
}

/**
 * The collector's HTTP surface as a hono app. Everything with I/O comes in as
 * a dependency, so routes are tested through `app.request()` with fakes.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { HmacCrypto, Topics } from '@sessionflow/core';
import { catalogHandler } from './catalog/handler.js';
import type { CollectorConfig } from './config.js';
import { jsonError } from './http/errors.js';
import { ingestHandler } from './ingest/handler.js';
import { nodeHmacCrypto } from './ingest/hmac.js';
import type { RecordSink } from './ingest/sink.js';
import type { ReadinessProbe } from './kafka/readiness.js';
import { createLogger, type Logger } from './log.js';
import type { CollectorMetrics } from './metrics.js';
import { scopeAuth, scopeSecrets } from './auth/scopes.js';
import { addReadRoutes } from './read/routes.js';
import { addAggregateRoutes } from './read/aggregate-routes.js';
import type { AggregateReads } from './read/aggregate-store.js';
import type { ExperimentSetup } from './pipeline/experiments/config.js';
import type { ReadStore } from './read/store.js';
import { addErasureRoute, type ErasureRouteDeps } from './erasure/route.js';
import { addConsoleRoutes } from './read/console/routes.js';
import type { ConsoleReads } from './read/console/store.js';
import type { EdgeRulesReader } from './read/console/edge-rules.js';
import type { Degradation } from './degrade/degradation.js';
import { addDegradationRoute } from './degrade/route.js';

export interface CollectorAppDeps {
  /** The secrets by scope (auth/scopes.ts); erasure and edge-admin are only recognised, never accepted, here. */
  config: Pick<CollectorConfig, 'relaySecret' | 'readSecret' | 'catalogSecret' | 'adminSecret' | 'bodyLimitBytes' | 'produceTimeoutMs'> &
    Partial<Pick<CollectorConfig, 'erasureSecret' | 'edgeAdminSecret'>>;
  topics: Topics;
  /** Takes records and resolves once Kafka acknowledged them (the batcher, or a fake). */
  sink: RecordSink;
  readiness: ReadinessProbe;
  /** The online store behind the read routes; undefined when REDIS_URL is not set (they answer 503). */
  readStore?: ReadStore | undefined;
  /** Erases a user (DELETE /v1/users/:userId); undefined when REDIS_URL is not set (503). */
  erasure?: ErasureRouteDeps['erasure'];
  /** Experiment counters and funnel rollups from the same store; undefined when REDIS_URL is not set (503). */
  aggregateReads?: AggregateReads | undefined;
  /** Open sessions and rule fires for the console's reads; undefined when REDIS_URL is not set (503). */
  consoleReads?: ConsoleReads | undefined;
  /** The edge's rules, relayed by `GET /v1/admin/rules`; undefined without EDGE_URL and EDGE_ADMIN_SECRET (503). */
  edgeRules?: EdgeRulesReader | undefined;
  /** The collector's level and the pipeline's reports, for `GET /v1/degradation`; absent, it answers 503. */
  degradation?: Degradation | undefined;
  /** The experiments `GET /v1/experiments/:key` knows; none when absent. */
  experiments?: readonly ExperimentSetup[];
  metrics: CollectorMetrics;
  /** Defaults to HMAC on node:crypto; any WebCrypto `subtle` fits too. */
  crypto?: HmacCrypto;
  now?: () => number;
  /** True once shutdown began: ingest and readiness refuse so traffic moves elsewhere. */
  isDraining?: () => boolean;
  logger?: Logger;
}

const ROUTES = new Set(['/v1/ingest', '/v1/catalog', '/v1/recs', '/v1/inventory', '/healthz', '/readyz', '/metrics', '/v1/rollups/funnel', '/v1/sessions/open', '/v1/rules/fires', '/v1/experiments', '/v1/admin/rules', '/v1/degradation']);
const USER_PROFILE_ROUTE = '/v1/profile/user/:userId';
const DEVICE_PROFILE_ROUTE = '/v1/profile/device/:anonymousId';
const EXPERIMENT_ROUTE = '/v1/experiments/:key';
const USER_ROUTE = '/v1/users/:userId';
const SESSION_ROUTE = '/v1/sessions/:sessionId';

/** A fixed set of route labels: ids in paths, and unknown paths, must not grow the metric's cardinality. */
export function routeLabel(path: string): string {
  if (ROUTES.has(path)) return path;
  if (path.startsWith('/v1/profile/user/')) return USER_PROFILE_ROUTE;
  if (path.startsWith('/v1/profile/device/')) return DEVICE_PROFILE_ROUTE;
  if (path.startsWith('/v1/experiments/')) return EXPERIMENT_ROUTE;
  if (path.startsWith('/v1/users/')) return USER_ROUTE;
  if (path.startsWith('/v1/sessions/')) return SESSION_ROUTE;
  return 'other';
}

export function createCollectorApp(deps: CollectorAppDeps): Hono {
  const isDraining = deps.isDraining ?? (() => false);
  const logger = deps.logger ?? createLogger('warn');
  const { metrics } = deps;
  const app = new Hono();
  const secrets = scopeSecrets(deps.config);

  app.use('*', async (c, next) => {
    await next();
    metrics.httpRequests.inc({ route: routeLabel(c.req.path), status: String(c.res.status) });
  });

  app.post(
    '/v1/ingest',
    ingestHandler({
      secrets,
      bodyLimitBytes: deps.config.bodyLimitBytes,
      produceTimeoutMs: deps.config.produceTimeoutMs,
      topics: deps.topics,
      sink: deps.sink,
      readiness: deps.readiness,
      metrics,
      crypto: deps.crypto ?? nodeHmacCrypto(),
      now: deps.now ?? Date.now,
      isDraining,
      logger,
    }),
  );

  app.all('/v1/ingest', (c) => {
    c.header('allow', 'POST');
    return jsonError(c, 405, 'method_not_allowed', `${c.req.method} is not allowed on /v1/ingest; use POST`);
  });

  // Each route takes its own scope's secret: the site's server feeds the catalog, the edge reads, an operator erases.
  app.use('/v1/catalog', scopeAuth('catalog', secrets, metrics));
  const readAuth = scopeAuth('read', secrets, metrics);
  for (const path of ['/v1/recs', '/v1/inventory', '/v1/profile/*', '/v1/experiments', '/v1/experiments/*', '/v1/rollups/*', '/v1/sessions/*', '/v1/rules/*', '/v1/degradation']) app.use(path, readAuth);
  const adminAuth = scopeAuth('admin', secrets, metrics);
  app.use('/v1/users/*', adminAuth);
  app.use('/v1/admin/*', adminAuth);

  app.post(
    '/v1/catalog',
    catalogHandler({
      bodyLimitBytes: deps.config.bodyLimitBytes,
      produceTimeoutMs: deps.config.produceTimeoutMs,
      topics: deps.topics,
      sink: deps.sink,
      readiness: deps.readiness,
      metrics,
      isDraining,
      logger,
    }),
  );

  app.all('/v1/catalog', (c) => {
    c.header('allow', 'POST');
    return jsonError(c, 405, 'method_not_allowed', `${c.req.method} is not allowed on /v1/catalog; use POST`);
  });

  addReadRoutes(app, { store: deps.readStore, metrics, now: deps.now ?? Date.now, logger });
  addErasureRoute(app, { erasure: deps.erasure, metrics, logger });
  addAggregateRoutes(app, { reads: deps.aggregateReads, experiments: deps.experiments ?? [], metrics, now: deps.now ?? Date.now, logger });
  addDegradationRoute(app, { degradation: deps.degradation, now: deps.now ?? Date.now });
  addConsoleRoutes(app, { reads: deps.consoleReads, edgeRules: deps.edgeRules, experiments: deps.experiments ?? [], metrics, now: deps.now ?? Date.now, logger });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    if (isDraining()) return jsonError(c, 503, 'shutting_down', 'the collector is shutting down');
    const readiness = await deps.readiness.check();
    if (!readiness.ready) {
      return jsonError(c, 503, 'not_ready', `Kafka cannot take records now: ${readiness.reason ?? 'unknown reason'}`);
    }
    return c.json({ status: 'ready' });
  });

  app.get('/metrics', async (c) => {
    const text = await metrics.registry.metrics();
    return c.body(text, 200, { 'content-type': metrics.registry.contentType });
  });

  app.notFound((c) => jsonError(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`));

  app.onError((error, c) => {
    // bearerAuth refuses by throwing its prepared (JSON) response.
    if (error instanceof HTTPException) return error.getResponse();
    metrics.errors.inc({ kind: 'internal' });
    // The route's pattern, not the path: a path may hold an id (/v1/users/<user id>).
    logger.error('unhandled error', { error, route: routeLabel(c.req.path), method: c.req.method });
    return jsonError(c, 500, 'internal', 'the collector failed to handle the request');
  });

  return app;
}

/**
 * A fake collector for the console's tests: a small hono app answering the read routes of issue
 * 13's contract (part A) and the existing ones the console reads, with fixed data the test can
 * change (`state`) to see the pages follow. It checks the bearer of each scope as the collector does.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AdminRules, ExperimentView, FunnelView, OpenSessionView, ProfileView, RecsView, RuleFires } from '../../src/shared/contract.js';

export const READ_SECRET = 'fake-read-secret-0123456789abcdef0123456789';
export const ADMIN_SECRET = 'fake-admin-secret-0123456789abcdef012345678';

export interface FakeState {
  sessions: OpenSessionView[];
  rules: AdminRules;
  fires: RuleFires;
  experiments: Record<string, ExperimentView>;
  funnel: FunnelView;
  profiles: Record<string, ProfileView>;
  recs: RecsView;
  /** Counters of sf_collector_events_by_type_total, by type. */
  eventsByType: Record<string, number>;
  /** sessionflow_pipeline_lag_records by stage:partition. */
  lag: Record<string, number>;
  outboxDepth: number;
  /** Each part's level (null: its gauge is not exported) and reason: the gauges and `GET /v1/degradation` follow it. */
  degradation: { edge: string | null; collector: { level: string; reason?: string }; pipeline: { level: string; reason?: string; lagS?: number } | null };
  erased: string[];
  /** Path prefixes that answer 503 read_store_unavailable, as the collector does while Redis is down. */
  down: string[];
  /** Every request the fake got: method, path, authorization. */
  requests: { method: string; path: string; authorization: string | undefined }[];
}

const minute = (offset: number, now: number) => new Date(Math.floor(now / 60_000) * 60_000 - offset * 60_000).toISOString();

export function session(id: string, over: Partial<OpenSessionView> = {}, now = Date.now()): OpenSessionView {
  return {
    sessionId: id,
    anonymousId: `anon-${id}`,
    startedAt: now - 120_000,
    lastActivityAt: now - 2_000,
    device: 'desktop',
    source: 'newsletter',
    pageViews: 4,
    events: 11,
    lastPageUrl: 'https://shop.example/p/lamp-7',
    cartUnits: 2,
    purchased: false,
    signals: { intentCategory: 'lighting', intentShare: 0.72, engagement: 0.55, cartAbandonmentRisk: 0.81, bounceRisk: 0.1 },
    variants: { 'banner-copy': 'bold' },
    decisions: [{ id: `d1-${id}`, at: now - 5_000, ruleId: 'cart-rescue', actionId: `a1-${id}`, kind: 'offer', slot: 'offer', experiment: 'banner-copy', variant: 'bold' }],
    ...over,
  };
}

export function experiment(key: string, over: Partial<ExperimentView> = {}): ExperimentView {
  return {
    experiment: key,
    version: 1,
    status: 'running',
    conversion: { type: 'track', name: 'add_to_cart' },
    control: 'control',
    confidence: 0.95,
    variants: [
      { name: 'control', control: true, weight: 1, exposures: 410, exposedUnits: 400, conversions: 40, conversionRate: 0.1, conversionRateInterval: { lower: 0.074, upper: 0.133 }, lift: null },
      {
        name: 'bold',
        control: false,
        weight: 1,
        exposures: 420,
        exposedUnits: 404,
        conversions: 52,
        conversionRate: 0.1287,
        conversionRateInterval: { lower: 0.099, upper: 0.165 },
        lift: { absolute: 0.0287, absoluteInterval: { lower: -0.015, upper: 0.072 }, relative: 0.287, relativeInterval: { lower: -0.1, upper: 0.8 }, sequentialInterval: { lower: -0.06, upper: 0.118 } },
      },
    ],
    sampleRatio: { chiSquare: 0.02, degreesOfFreedom: 1, pValue: 0.89, mismatch: false },
    generatedAt: Date.now(),
    ...over,
  };
}

function funnel(now: number): FunnelView {
  const steps = ['page_view', 'product_view', 'add_to_cart', 'purchase'];
  const figures = (v: number[]) => ({
    steps: Object.fromEntries(steps.map((s, i) => [s, { events: (v[i] ?? 0) * 2, visitors: v[i] ?? 0 }])),
    conversion: steps.slice(1).map((to, i) => ({ from: steps[i] as string, to, rate: (v[i] ?? 0) > 0 ? (v[i + 1] ?? 0) / (v[i] ?? 1) : null })),
  });
  const buckets = [2, 1, 0].map((offset) => ({
    minute: minute(offset, now),
    segments: [
      { source: 'newsletter', device: 'desktop', ...figures([6, 4, 2, 1]) },
      { source: 'direct', device: 'mobile', ...figures([4, 2, 1, 0]) },
    ],
    total: figures([10, 6, 3, 1]),
  }));
  return { minutes: 3, steps, buckets, total: figures([20, 12, 5, 2]), generatedAt: now };
}

export function initialState(now = Date.now()): FakeState {
  return {
    sessions: [session('s-alpha', {}, now), session('s-beta', { userId: 'user-42', device: 'mobile', source: 'search', decisions: [], variants: {} }, now)],
    rules: { version: '2026-12-07.1', source: 'kv', document: { version: '2026-12-07.1', rules: [{ id: 'cart-rescue' }, { id: 'welcome-banner' }] } },
    fires: {
      from: minute(15, now),
      to: minute(0, now),
      rules: [
        { ruleId: 'cart-rescue', fired: 7, perMinute: [{ minute: minute(1, now), fired: 3 }, { minute: minute(0, now), fired: 4 }] },
        { ruleId: 'welcome-banner', fired: 2, perMinute: [{ minute: minute(0, now), fired: 2 }] },
      ],
    },
    experiments: { 'banner-copy': experiment('banner-copy') },
    funnel: funnel(now),
    profiles: {
      'user:user-42': { kind: 'user', id: 'user-42', userId: 'user-42', anonymousIds: ['anon-s-beta', 'anon-laptop-9'], sessions: 5, affinities: { lighting: 3.2, garden: 0.7 }, recentlyViewed: ['lamp-7'], purchased: ['rug-2'], updatedAt: now - 60_000 },
    },
    recs: { items: [{ id: 'lamp-9', name: 'Brass desk lamp', category: 'lighting', score: 0.91 }], source: 'session', generatedAt: now },
    eventsByType: { page_view: 100, click: 40, track: 10 },
    lag: { 'identity:0': 0, 'sessions:0': 3, 'aggregates:0': 12 },
    outboxDepth: 2,
    degradation: { edge: 'full', collector: { level: 'full' }, pipeline: { level: 'popularity', reason: 'lag_s', lagS: 6.4 } },
    erased: [],
    down: [],
    requests: [],
  };
}

export interface FakeCollector {
  url: string;
  state: FakeState;
  close(): Promise<void>;
}

/** Prometheus text as the collector's prom-client writes it (counters, a labelled histogram, gauges). */
export function collectorMetricsText(state: FakeState): string {
  const lines = ['# HELP sf_collector_events_by_type_total Accepted events by event type.', '# TYPE sf_collector_events_by_type_total counter'];
  for (const [type, n] of Object.entries(state.eventsByType)) lines.push(`sf_collector_events_by_type_total{type="${type}"} ${n}`);
  lines.push('# HELP sessionflow_collector_produce_duration_seconds Produce latency.', '# TYPE sessionflow_collector_produce_duration_seconds histogram');
  const total = Object.values(state.eventsByType).reduce((a, b) => a + b, 0);
  for (const [le, share] of [['0.005', 0.5], ['0.01', 0.9], ['0.05', 1], ['+Inf', 1]] as const) {
    lines.push(`sessionflow_collector_produce_duration_seconds_bucket{le="${le}",result="ok"} ${Math.round(total * share)}`);
  }
  lines.push(`sessionflow_collector_produce_duration_seconds_sum{result="ok"} ${total * 0.006}`, `sessionflow_collector_produce_duration_seconds_count{result="ok"} ${total}`);
  lines.push('# HELP sf_edge_outbox_depth Latest outbox depth.', '# TYPE sf_edge_outbox_depth gauge', `sf_edge_outbox_depth ${state.outboxDepth}`);
  lines.push('# HELP sf_edge_decide_seconds Decide time.', '# TYPE sf_edge_decide_seconds histogram');
  for (const [le, share] of [['0.001', 0.6], ['0.005', 0.99], ['+Inf', 1]] as const) lines.push(`sf_edge_decide_seconds_bucket{le="${le}"} ${Math.round(total * share)}`);
  lines.push(`sf_edge_decide_seconds_sum ${total * 0.0012}`, `sf_edge_decide_seconds_count ${total}`);
  if (state.degradation.edge !== null) lines.push(...levelGauge('edge', state.degradation.edge));
  lines.push(...levelGauge('collector', state.degradation.collector.level));
  return `${lines.join('\n')}\n`;
}

const LEVELS = ['full', 'popularity', 'live_only', 'data_only'];

/** A part's level gauge as prom-client writes it: 1 for the level in force, 0 for the others. */
function levelGauge(part: string, level: string): string[] {
  const name = `sessionflow_${part}_degradation_level`;
  return [`# HELP ${name} Level.`, `# TYPE ${name} gauge`, ...LEVELS.map((l) => `${name}{level="${l}"} ${l === level ? 1 : 0}`)];
}

/** `GET /v1/degradation` as the collector answers it: the worst of its level and the pipeline's. */
function degradationAnswer(state: FakeState) {
  const { collector, pipeline } = state.degradation;
  const worst = [collector.level, pipeline?.level ?? 'full'].sort((a, b) => LEVELS.indexOf(b) - LEVELS.indexOf(a))[0];
  return { level: worst, parts: { collector, pipeline } };
}

export function pipelineMetricsText(state: FakeState): string {
  const lines = ['# HELP sessionflow_pipeline_lag_records Records behind.', '# TYPE sessionflow_pipeline_lag_records gauge'];
  for (const [key, lag] of Object.entries(state.lag)) {
    const [stage, partition] = key.split(':');
    lines.push(`sessionflow_pipeline_lag_records{stage="${stage}",topic="sf.events",partition="${partition}"} ${lag}`);
  }
  if (state.degradation.pipeline !== null && state.degradation.pipeline.reason !== 'pipeline_silent') lines.push(...levelGauge('pipeline', state.degradation.pipeline.level));
  return `${lines.join('\n')}\n`;
}

export function fakeCollectorApp(state: FakeState): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    state.requests.push({ method: c.req.method, path: c.req.path, authorization: c.req.header('authorization') });
    if (state.down.some((prefix) => c.req.path.startsWith(prefix))) return c.json({ error: 'read_store_unavailable', message: 'the read store (Redis) is not reachable' }, 503);
    await next();
  });
  const scope = (secret: string) => async (c: Parameters<Parameters<Hono['use']>[1]>[0], next: () => Promise<void>) => {
    if (c.req.header('authorization') !== `Bearer ${secret}`) return c.json({ error: 'unauthorized', message: 'wrong bearer' }, 401);
    await next();
  };
  app.use('/v1/admin/*', scope(ADMIN_SECRET));
  app.use('/v1/users/*', scope(ADMIN_SECRET));
  for (const path of ['/v1/sessions/*', '/v1/rules/*', '/v1/experiments', '/v1/experiments/*', '/v1/rollups/*', '/v1/profile/*', '/v1/recs', '/v1/degradation']) app.use(path, scope(READ_SECRET));

  app.get('/v1/sessions/open', (c) => {
    const limit = Number(c.req.query('limit') ?? 50);
    const sorted = [...state.sessions].sort((a, b) => b.lastActivityAt - a.lastActivityAt);
    return c.json({ open: sorted.length, visitors: new Set(sorted.map((s) => s.anonymousId)).size, sessions: sorted.slice(0, limit) });
  });
  app.get('/v1/sessions/:id', (c) => {
    const s = state.sessions.find((x) => x.sessionId === c.req.param('id'));
    return s ? c.json(s) : c.json({ error: 'not_found', message: 'no open session with this id' }, 404);
  });
  app.get('/v1/rules/fires', (c) => c.json(state.fires));
  app.get('/v1/experiments', (c) => c.json({ experiments: Object.values(state.experiments).map((e) => ({ key: e.experiment, variants: e.variants.map((v) => v.name) })) }));
  app.get('/v1/experiments/:key', (c) => {
    const e = state.experiments[c.req.param('key')];
    return e ? c.json(e) : c.json({ error: 'not_found', message: 'no such experiment' }, 404);
  });
  app.get('/v1/admin/rules', (c) => c.json(state.rules));
  app.get('/v1/rollups/funnel', (c) => c.json(state.funnel));
  app.get('/v1/profile/:kind/:id', (c) => {
    const p = state.profiles[`${c.req.param('kind')}:${c.req.param('id')}`];
    return p ? c.json(p) : c.json({ error: 'not_found', message: 'no profile' }, 404);
  });
  app.get('/v1/recs', (c) => c.json(state.recs));
  app.get('/v1/degradation', (c) => c.json(degradationAnswer(state)));
  app.delete('/v1/users/:id', (c) => {
    const id = c.req.param('id');
    state.erased.push(id);
    delete state.profiles[`user:${id}`];
    return c.json({ erased: id, edge: 'erased' }, 202);
  });
  app.get('/metrics', (c) => c.text(collectorMetricsText(state)));
  app.get('/pipeline/metrics', (c) => c.text(pipelineMetricsText(state)));
  return app;
}

export async function startFakeCollector(state: FakeState = initialState()): Promise<FakeCollector> {
  const app = fakeCollectorApp(state);
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s as Server));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

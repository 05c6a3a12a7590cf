/**
 * The console's reads on the collector, through `app.request()` with a fake
 * store and a fake edge: scopes, queries, 404/503, and the shapes of core's
 * read views. The views themselves come from the sessions stage's hash
 * (session-view.ts), tested here on hashes planned by the stage's planners.
 */
import { describe, expect, it } from 'vitest';
import { topicNames, type AdminRulesView, type OpenSessionView, type OpenSessionsView } from '@sessionflow/core';
import { createCollectorApp } from '../src/app.js';
import { createLogger } from '../src/log.js';
import { createCollectorMetrics } from '../src/metrics.js';
import { parseExperiments } from '../src/pipeline/experiments/config.js';
import { lastMinutes } from '../src/pipeline/rollups/minute.js';
import { planSessionDecisions } from '../src/pipeline/sessions/decisions-plan.js';
import { readDecided } from '../src/pipeline/sessions/decided.js';
import { planSessionEvents } from '../src/pipeline/sessions/fold-plan.js';
import { sessionKeys } from '../src/pipeline/sessions/keys.js';
import { adminRulesOf, edgeRulesReader, EdgeRulesError, type EdgeRulesReader } from '../src/read/console/edge-rules.js';
import { openSessionView, VIEW_FIELDS } from '../src/read/console/session-view.js';
import type { ConsoleReads } from '../src/read/console/store.js';
import { ReadStoreUnavailableError } from '../src/read/store.js';
import { ADMIN_SECRET, CATALOG_SECRET, FakeProbe, FakeSink, NOW, SECRET } from './fakes.js';
import { addToCart, productClick, sessionEvent } from './sessions/events.js';
import { MemoryStore } from './sessions/memory-store.js';

const READ_SECRET = 'read-test-secret';
const experiments = parseExperiments(
  JSON.stringify([{ key: 'recs-strategy', version: 3, traffic: 1, variants: [{ name: 'similar', weight: 1 }, { name: 'popular', weight: 3 }], control: 'popular' }]),
  'EXPERIMENTS',
);

const view = (sessionId: string, lastActivityAt: number): OpenSessionView => ({
  sessionId,
  anonymousId: `anon-of-${sessionId}`,
  startedAt: lastActivityAt - 1_000,
  lastActivityAt,
  pageViews: 1,
  events: 1,
  cartUnits: 0,
  purchased: false,
  signals: { intentCategory: '', intentShare: 0, engagement: 0, cartAbandonmentRisk: 0, bounceRisk: 0.5 },
  variants: {},
  decisions: [],
});

class FakeConsoleReads implements ConsoleReads {
  up = true;
  failing = false;
  limits: number[] = [];
  minutes: string[][] = [];
  fires = new Map<string, number[]>();
  available() {
    return this.up;
  }
  async openSessions(limit: number): Promise<OpenSessionsView> {
    this.check();
    this.limits.push(limit);
    return { open: 3, visitors: 2, sessions: [view('session-b', NOW), view('session-a', NOW - 5)].slice(0, limit) };
  }
  async session(sessionId: string) {
    this.check();
    return sessionId === 'session-a' ? view('session-a', NOW - 5) : null;
  }
  async ruleFires(minutes: readonly string[]) {
    this.check();
    this.minutes.push([...minutes]);
    return this.fires;
  }
  private check() {
    if (this.failing) throw new ReadStoreUnavailableError('Redis did not answer: timeout');
  }
}

function setup(options: { reads?: FakeConsoleReads | null; edgeRules?: EdgeRulesReader } = {}) {
  const reads = options.reads === null ? undefined : (options.reads ?? new FakeConsoleReads());
  const app = createCollectorApp({
    config: { relaySecret: SECRET, readSecret: READ_SECRET, catalogSecret: CATALOG_SECRET, adminSecret: ADMIN_SECRET, bodyLimitBytes: 8 * 1024, produceTimeoutMs: 5_000 },
    topics: topicNames('t'),
    sink: new FakeSink(),
    readiness: new FakeProbe(),
    consoleReads: reads,
    edgeRules: options.edgeRules,
    experiments,
    metrics: createCollectorMetrics({ defaultMetrics: false }),
    now: () => NOW,
    logger: createLogger('error', () => undefined),
  });
  const get = (path: string, secret: string | null = READ_SECRET) => app.request(path, secret === null ? {} : { headers: { authorization: `Bearer ${secret}` } });
  return { app, reads, get };
}

describe('GET /v1/sessions/open', () => {
  it('answers the counts and the sessions, with the limit asked or 50', async () => {
    const { get, reads } = setup();
    const response = await get('/v1/sessions/open?limit=1');
    expect(response.status).toBe(200);
    const body = (await response.json()) as OpenSessionsView;
    expect(body.open).toBe(3);
    expect(body.visitors).toBe(2);
    expect(body.sessions.map((s) => s.sessionId)).toEqual(['session-b']);
    await get('/v1/sessions/open');
    expect(reads?.limits).toEqual([1, 50]);
  });

  it.each([['0'], ['201'], ['ten'], ['-1']])('refuses limit=%s with 400 naming the field', async (limit) => {
    const response = await setup().get(`/v1/sessions/open?limit=${limit}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_query', field: 'limit' });
  });

  it('needs the read secret: 401 without, 403 with the admin one', async () => {
    const { get } = setup();
    expect((await get('/v1/sessions/open', null)).status).toBe(401);
    expect((await get('/v1/sessions/open', ADMIN_SECRET)).status).toBe(403);
    expect((await get('/v1/rules/fires', null)).status).toBe(401);
    expect((await get('/v1/experiments', null)).status).toBe(401);
    expect((await get('/v1/sessions/session-a', null)).status).toBe(401);
  });

  it('answers 503 without a store, with the store down, and when it fails', async () => {
    expect((await setup({ reads: null }).get('/v1/sessions/open')).status).toBe(503);
    const down = new FakeConsoleReads();
    down.up = false;
    expect((await setup({ reads: down }).get('/v1/sessions/open')).status).toBe(503);
    const failing = new FakeConsoleReads();
    failing.failing = true;
    const response = await setup({ reads: failing }).get('/v1/rules/fires');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: 'read_store_unavailable' });
  });
});

describe('GET /v1/sessions/:sessionId', () => {
  it('answers the session, 404 for one not kept, 400 for a malformed id', async () => {
    const { get } = setup();
    const found = await get('/v1/sessions/session-a');
    expect(found.status).toBe(200);
    expect(((await found.json()) as OpenSessionView).sessionId).toBe('session-a');
    const missing = await get('/v1/sessions/session-zzz');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
    const bad = await get('/v1/sessions/short');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'sessionId' });
  });
});

describe('GET /v1/rules/fires', () => {
  it('answers every minute of the window for each rule, the most fired first', async () => {
    const reads = new FakeConsoleReads();
    const minutes = lastMinutes(NOW, 3);
    reads.fires = new Map([
      ['few', [0, 1, 0]],
      ['many', [2, 0, 3]],
    ]);
    const response = await setup({ reads }).get('/v1/rules/fires?minutes=3');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      from: minutes[0],
      to: minutes[2],
      rules: [
        { ruleId: 'many', fired: 5, perMinute: minutes.map((minute, i) => ({ minute, fired: [2, 0, 3][i] })) },
        { ruleId: 'few', fired: 1, perMinute: minutes.map((minute, i) => ({ minute, fired: [0, 1, 0][i] })) },
      ],
    });
    await setup({ reads }).get('/v1/rules/fires');
    expect(reads.minutes[1]).toHaveLength(15);
  });

  it('refuses minutes beyond a day', async () => {
    const response = await setup().get('/v1/rules/fires?minutes=1441');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ field: 'minutes' });
  });
});

describe('GET /v1/experiments', () => {
  it('lists the configured experiments and their variants', async () => {
    const response = await setup().get('/v1/experiments');
    expect(await response.json()).toEqual({ experiments: [{ key: 'recs-strategy', variants: ['similar', 'popular'] }] });
  });
});

describe('GET /v1/admin/rules', () => {
  const served: AdminRulesView = { version: 'v2', source: 'default', document: { version: 'demo-1', rules: [] }, error: 'rules.0.priority: must be a number' };

  it('relays the edge\'s answer with the admin secret, and the edge is asked with its own', async () => {
    const asked: { url: string; authorization: string | null }[] = [];
    const edgeRules = edgeRulesReader({
      edgeUrl: 'http://edge.test',
      secret: 'edge-admin-secret',
      fetch: async (input, init) => {
        asked.push({ url: String(input), authorization: new Headers(init?.headers).get('authorization') });
        return Response.json(served);
      },
    });
    const { get } = setup({ edgeRules });
    expect((await get('/v1/admin/rules')).status).toBe(403);
    const response = await get('/v1/admin/rules', ADMIN_SECRET);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(served);
    expect(asked).toEqual([{ url: 'http://edge.test/v1/admin/rules', authorization: 'Bearer edge-admin-secret' }]);
  });

  it('answers 503 naming EDGE_URL and EDGE_ADMIN_SECRET without them', async () => {
    const response = await setup().get('/v1/admin/rules', ADMIN_SECRET);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: string; message: string };
    expect(body.error).toBe('edge_not_configured');
    expect(body.message).toContain('EDGE_URL');
    expect(body.message).toContain('EDGE_ADMIN_SECRET');
  });

  it('answers 503 when the edge refuses, is away or answers something else', async () => {
    const refusing = edgeRulesReader({ edgeUrl: 'http://edge.test', secret: 's', fetch: async () => Response.json({ error: 'unauthorized' }, { status: 401 }) });
    const refused = await setup({ edgeRules: refusing }).get('/v1/admin/rules', ADMIN_SECRET);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: 'edge_unavailable', message: expect.stringContaining('EDGE_ADMIN_SECRET') });
    const away = edgeRulesReader({ edgeUrl: 'http://edge.test', secret: 's', fetch: async () => Promise.reject(new Error('connect ECONNREFUSED')) });
    expect((await setup({ edgeRules: away }).get('/v1/admin/rules', ADMIN_SECRET)).status).toBe(503);
    expect(() => adminRulesOf({ version: 'v', source: 'elsewhere', document: {} })).toThrow(EdgeRulesError);
  });
});

describe('openSessionView', () => {
  it('shows the fold, its device and source, the signals and what the edge decided, from the stage\'s hash', () => {
    const keys = sessionKeys('t', 't.events', 0);
    const store = new MemoryStore();
    const T = NOW;
    const landing = sessionEvent('sess-view-1', T, { type: 'page_view', page: { url: 'https://shop.example/?utm_source=mail', referrer: '' } });
    (landing.ingest as { device?: string }).device = 'tablet';
    const events = [landing, productClick('sess-view-1', T + 1_000, 'lamp', 'lighting'), addToCart('sess-view-1', T + 2_000, 'lamp')];
    store.run(planSessionEvents(events, new Map(), { keys, seenTtlSeconds: 60, snapshotIntervalMs: 5_000 }));
    const decided = { id: 'dec-1', at: T + 2_000, ruleId: 'cart-offer', actionId: 'cart-offer:0', kind: 'offer', slot: 'offer', experiment: 'offer-copy', variant: 'b' };
    store.run(
      planSessionDecisions([{ type: 'decision', anonymousId: 'anon-of-sess-view-1', sessionId: 'sess-view-1', ...decided, ingest: { siteKey: 's', receivedAt: T, ingestedAt: T } }], {
        keys,
        seenTtlSeconds: 60,
        holds: () => true,
        kept: (id) => readDecided(store.hashes.get(keys.session(id))?.get('decided')),
      }),
    );
    const hash = store.hashes.get(keys.session('sess-view-1'));
    const seen = openSessionView('sess-view-1', VIEW_FIELDS.map((field) => hash?.get(field) ?? null), T + 3_000);
    expect(seen).toMatchObject({
      sessionId: 'sess-view-1',
      anonymousId: 'anon-of-sess-view-1',
      startedAt: T,
      lastActivityAt: T + 2_000,
      device: 'tablet',
      source: 'mail',
      pageViews: 1,
      events: 3,
      cartUnits: 1,
      purchased: false,
      variants: { 'offer-copy': 'b' },
      decisions: [decided],
    });
    expect(seen?.signals.intentCategory).toBe('lighting');
    expect(seen?.signals.intentShare).toBe(1);
    for (const score of Object.values(seen?.signals ?? {}).filter((x) => typeof x === 'number')) expect(score).toBeGreaterThanOrEqual(0);
    expect(openSessionView('sess-other', VIEW_FIELDS.map((field) => hash?.get(field) ?? null), T)).toBeNull();
    expect(openSessionView('sess-view-1', VIEW_FIELDS.map(() => null), T)).toBeNull();
  });
});

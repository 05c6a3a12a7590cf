import { describe, expect, it } from 'vitest';
import { parseInventoryView, parseProfileView, parseRecsView, refOf, topicNames, type ProfileRef, type ProfileView } from '@sessionflow/core';
import { createCollectorApp } from '../src/app.js';
import { createLogger } from '../src/log.js';
import { createCollectorMetrics } from '../src/metrics.js';
import { ReadStoreUnavailableError, type ReadStore, type RecsQuery } from '../src/read/store.js';
import { ADMIN_SECRET, CATALOG_SECRET, FakeProbe, FakeSink, NOW, SECRET } from './fakes.js';

const READ_SECRET = 'read-test-secret';

class FakeStore implements ReadStore {
  queries: RecsQuery[] = [];
  up = true;
  failing = false;
  /** By ref: `u:<user id>` or `a:<anonymous id>`. */
  profiles = new Map<string, ProfileView>();
  asked: ProfileRef[] = [];

  available(): boolean {
    return this.up;
  }
  async recs(query: RecsQuery, nowMs: number) {
    this.check();
    this.queries.push(query);
    return { items: [{ id: 'sku-1', name: 'Mug', category: 'kitchen', price: '€1', score: 3 }], source: 'popularity' as const, generatedAt: nowMs };
  }
  async inventory(ids: readonly string[]) {
    this.check();
    return { inStock: Object.fromEntries(ids.filter((id) => id !== 'unknown').map((id) => [id, id !== 'sku-out'])) };
  }
  async profile(whose: ProfileRef) {
    this.check();
    this.asked.push(whose);
    return this.profiles.get(refOf(whose)) ?? null;
  }
  private check(): void {
    if (this.failing) throw new ReadStoreUnavailableError('Redis did not answer: timeout');
  }
}

function setup(store: ReadStore | undefined, metrics = createCollectorMetrics({ defaultMetrics: false })) {
  const app = createCollectorApp({
    config: { relaySecret: SECRET, readSecret: READ_SECRET, catalogSecret: CATALOG_SECRET, adminSecret: ADMIN_SECRET, bodyLimitBytes: 1024, produceTimeoutMs: 5_000 },
    topics: topicNames('test'),
    sink: new FakeSink(),
    readiness: new FakeProbe(),
    readStore: store,
    metrics,
    now: () => NOW,
    logger: createLogger('error', () => undefined),
  });
  const get = (path: string, token: string | null = READ_SECRET) =>
    app.request(path, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { get };
}

async function json(response: Response): Promise<Record<string, unknown>> {
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  return (await response.json()) as Record<string, unknown>;
}

describe('read API: access', () => {
  it.each(['/v1/recs', '/v1/inventory?ids=a', '/v1/profile/user/user-1', '/v1/profile/device/anon-12345678', '/v1/profile/anon-1'])('%s needs the read secret (401 JSON)', async (path) => {
    const { get } = setup(new FakeStore());
    for (const token of [null, 'wrong-secret']) {
      const response = await get(path, token);
      expect(response.status).toBe(401);
      expect((await json(response))['error']).toBe('unauthorized');
    }
  });

  it('answers 503 read_store_unavailable without a configured store, while Redis is down, and when a read fails', async () => {
    const down = new FakeStore();
    down.up = false;
    const failing = new FakeStore();
    failing.failing = true;
    for (const store of [undefined, down, failing]) {
      const response = await setup(store).get('/v1/recs');
      expect(response.status).toBe(503);
      expect((await json(response))['error']).toBe('read_store_unavailable');
    }
  });
});

describe('GET /v1/recs', () => {
  it('passes the user or the device, session, context and n, answering core RecsView', async () => {
    const store = new FakeStore();
    const { get } = setup(store);
    const response = await get('/v1/recs?user=user%40shop.example&session=session-1&context=sku-9&n=3');
    expect(response.status).toBe(200);
    expect(parseRecsView(await json(response)).ok).toBe(true);
    expect((await get('/v1/recs?device=anon-12345678&n=4')).status).toBe(200);
    expect((await get('/v1/recs?n=5')).status).toBe(200);
    expect(store.queries).toEqual([
      { profile: { kind: 'user', id: 'user@shop.example' }, session: 'session-1', context: 'sku-9', n: 3 },
      { profile: { kind: 'device', id: 'anon-12345678' }, session: undefined, context: undefined, n: 4 },
      { session: undefined, context: undefined, n: 5 },
    ]);
  });

  it.each([
    ['user=a&device=anon-12345678', 'device', /must not be given with user/],
    ['visitor=anon-12345678', 'visitor', /no longer read.*user=.*device=/],
    ['user=has%20spaces', 'user', /may hold only/],
    [`user=${'u'.repeat(129)}`, 'user', /at most 128/],
    ['device=short', 'device', /at least 8/],
    ['device=anon%7Bx%7D-12345', 'device', /may hold only/],
    ['session=s%3A%7B%7D-longer', 'session', /may hold only/],
  ])('refuses %s with 400 invalid_query naming %s, and reads nothing', async (query, field, reason) => {
    const store = new FakeStore();
    const response = await setup(store).get(`/v1/recs?${query}`);
    expect(response.status).toBe(400);
    const body = await json(response);
    expect(body).toMatchObject({ error: 'invalid_query', field });
    expect(body['message']).toMatch(reason);
    expect(store.queries).toEqual([]);
  });

  it('asks for 10 by default and at most 50', async () => {
    const store = new FakeStore();
    const { get } = setup(store);
    await get('/v1/recs');
    await get('/v1/recs?n=500');
    expect(store.queries.map((q) => q.n)).toEqual([10, 50]);
  });

  it('refuses an n that is not a positive whole number, naming it', async () => {
    const { get } = setup(new FakeStore());
    for (const n of ['0', 'ten', '-1', '2.5']) {
      const response = await get(`/v1/recs?n=${n}`);
      expect(response.status).toBe(400);
      expect(await json(response)).toMatchObject({ error: 'invalid_query', field: 'n' });
    }
  });
});

describe('GET /v1/inventory', () => {
  it('answers core InventoryView for the ids asked', async () => {
    const response = await setup(new FakeStore()).get('/v1/inventory?ids=sku-1,sku-out,unknown');
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(parseInventoryView(body).ok).toBe(true);
    expect(body).toEqual({ inStock: { 'sku-1': true, 'sku-out': false } });
  });

  it('needs ids', async () => {
    for (const path of ['/v1/inventory', '/v1/inventory?ids=,']) {
      const response = await setup(new FakeStore()).get(path);
      expect(response.status).toBe(400);
      expect((await json(response))['field']).toBe('ids');
    }
  });
});

describe('GET /v1/profile/user/:userId and /v1/profile/device/:anonymousId', () => {
  const userView: ProfileView = { kind: 'user', id: 'user-1', userId: 'user-1', anonymousIds: ['anon-12345678'], sessions: 3, affinities: { kitchen: 2 }, recentlyViewed: ['sku-2'], purchased: [], updatedAt: NOW };
  const deviceView: ProfileView = { kind: 'device', id: 'anon-12345678', anonymousIds: ['anon-12345678'], sessions: 2, affinities: { kitchen: 1.5 }, recentlyViewed: ['sku-1'], purchased: [], updatedAt: NOW };

  it('answers the named profile as core ProfileView, and 404 not_found for one the store does not hold', async () => {
    const store = new FakeStore();
    store.profiles.set('u:user-1', userView);
    store.profiles.set('a:anon-12345678', deviceView);
    const { get } = setup(store);
    for (const [path, view] of [['/v1/profile/user/user-1', userView], ['/v1/profile/device/anon-12345678', deviceView]] as const) {
      const found = await get(path);
      expect(found.status).toBe(200);
      const body = await json(found);
      expect(parseProfileView(body).ok).toBe(true);
      expect(body).toEqual(view);
    }
    const missing = await get('/v1/profile/user/user-2');
    expect(missing.status).toBe(404);
    expect((await json(missing))['error']).toBe('not_found');
  });

  it("asks the store for the kind the path names: a device's own profile, never a user's that reads alike", async () => {
    const store = new FakeStore();
    store.profiles.set('u:anon-12345678', { ...userView, id: 'anon-12345678', userId: 'anon-12345678' });
    const { get } = setup(store);
    expect((await get('/v1/profile/device/anon-12345678')).status).toBe(404);
    expect((await get('/v1/profile/user/user%40shop.example')).status).toBe(404);
    expect(store.asked).toEqual([{ kind: 'device', id: 'anon-12345678' }, { kind: 'user', id: 'user@shop.example' }]);
  });

  it.each([
    ['/v1/profile/user/has%20space', 'userId'],
    [`/v1/profile/user/${'x'.repeat(129)}`, 'userId'],
    ['/v1/profile/user/%7Bx%7D', 'userId'],
    ['/v1/profile/device/short', 'anonymousId'],
    ['/v1/profile/device/anon%25-12345678', 'anonymousId'],
  ])('refuses %s with 400 invalid_query naming %s, and reads nothing', async (path, field) => {
    const store = new FakeStore();
    const response = await setup(store).get(path);
    expect(response.status).toBe(400);
    expect(await json(response)).toMatchObject({ error: 'invalid_query', field });
    expect(store.asked).toEqual([]);
  });

  it('answers the removed /v1/profile/:id with 410 naming the routes that replace it, and reads nothing', async () => {
    const store = new FakeStore();
    const response = await setup(store).get('/v1/profile/anon-12345678');
    expect(response.status).toBe(410);
    expect((await json(response))['message']).toMatch(/\/v1\/profile\/user\/:userId.*\/v1\/profile\/device\/:anonymousId/);
    expect(store.asked).toEqual([]);
  });

  it('labels the metrics by route, never by the id in the path', async () => {
    const metrics = createCollectorMetrics({ defaultMetrics: false });
    const { get } = setup(new FakeStore(), metrics);
    for (const path of ['/v1/profile/user/user-1', '/v1/profile/user/user-2', '/v1/profile/device/anon-12345678', '/v1/profile/device/anon-87654321', '/v1/profile/x/y/z', '/v1/profile/anon-12345678']) await get(path);
    const routes = (await metrics.httpRequests.get()).values.map((v) => v.labels.route).sort();
    expect(routes).toEqual(['/v1/profile/device/:anonymousId', '/v1/profile/user/:userId', 'other', 'other']);
  });
});

import { describe, expect, it } from 'vitest';
import { parseInventoryView, parseProfileView, parseRecsView, topicNames, type ProfileView } from '@sessionflow/core';
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
  profiles = new Map<string, ProfileView>();

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
  async profile(id: string) {
    this.check();
    return this.profiles.get(id) ?? null;
  }
  private check(): void {
    if (this.failing) throw new ReadStoreUnavailableError('Redis did not answer: timeout');
  }
}

function setup(store: ReadStore | undefined) {
  const app = createCollectorApp({
    config: { relaySecret: SECRET, readSecret: READ_SECRET, catalogSecret: CATALOG_SECRET, adminSecret: ADMIN_SECRET, bodyLimitBytes: 1024, produceTimeoutMs: 5_000 },
    topics: topicNames('test'),
    sink: new FakeSink(),
    readiness: new FakeProbe(),
    readStore: store,
    metrics: createCollectorMetrics({ defaultMetrics: false }),
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
  it.each(['/v1/recs', '/v1/inventory?ids=a', '/v1/profile/anon-1'])('%s needs the read secret (401 JSON)', async (path) => {
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
  it('passes visitor, session, context and n, answering core RecsView', async () => {
    const store = new FakeStore();
    const response = await setup(store).get('/v1/recs?visitor=anon-1&session=s-1&context=sku-9&n=3');
    expect(response.status).toBe(200);
    expect(parseRecsView(await json(response)).ok).toBe(true);
    expect(store.queries).toEqual([{ visitor: 'anon-1', session: 's-1', context: 'sku-9', n: 3 }]);
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

describe('GET /v1/profile/:id', () => {
  it('answers the profile as core ProfileView, and 404 not_found for an unknown id', async () => {
    const store = new FakeStore();
    const profile: ProfileView = { kind: 'device', id: 'anon-1', anonymousIds: ['anon-1'], sessions: 2, affinities: { kitchen: 1.5 }, recentlyViewed: ['sku-1'], purchased: [], updatedAt: NOW };
    store.profiles.set('anon-1', profile);
    const { get } = setup(store);
    const found = await get('/v1/profile/anon-1');
    expect(found.status).toBe(200);
    const body = await json(found);
    expect(parseProfileView(body).ok).toBe(true);
    expect(body).toEqual(profile);
    const missing = await get('/v1/profile/anon-2');
    expect(missing.status).toBe(404);
    expect((await json(missing))['error']).toBe('not_found');
  });
});

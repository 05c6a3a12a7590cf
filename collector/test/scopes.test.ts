/**
 * Every secret has one scope: each route takes its own and answers a secret of
 * any other scope with 403 `wrong_scope`, anything else with 401 (through
 * app.request, with fakes for Kafka and the store).
 */
import { describe, expect, it } from 'vitest';
import { topicNames } from '@sessionflow/core';
import { createCollectorApp } from '../src/app.js';
import { createLogger } from '../src/log.js';
import { createCollectorMetrics } from '../src/metrics.js';
import { crypto, envelope, FakeProbe, FakeSink, NOW, pageView, signedHeaders } from './fakes.js';

const secrets = {
  relay: 'scope-test-relay-secret',
  read: 'scope-test-read-secret',
  catalog: 'scope-test-catalog-secret',
  admin: 'scope-test-admin-secret',
  erasure: 'scope-test-erasure-secret',
  edgeAdmin: 'scope-test-edge-admin-secret',
} as const;
type Scope = keyof typeof secrets;

function setup() {
  const metrics = createCollectorMetrics({ defaultMetrics: false });
  const app = createCollectorApp({
    config: {
      relaySecret: secrets.relay,
      readSecret: secrets.read,
      catalogSecret: secrets.catalog,
      adminSecret: secrets.admin,
      erasureSecret: secrets.erasure,
      edgeAdminSecret: secrets.edgeAdmin,
      bodyLimitBytes: 64 * 1024,
      produceTimeoutMs: 5_000,
    },
    topics: topicNames('test'),
    sink: new FakeSink(),
    readiness: new FakeProbe(),
    metrics,
    crypto,
    now: () => NOW,
    logger: createLogger('error', () => undefined),
  });
  return { app, metrics };
}

const catalogBody = JSON.stringify({ products: [{ id: 'sku-1', name: 'Mug', category: 'kitchen', price: '€1', inStock: true }] });
const bearerRoutes: { route: string; method: string; path: string; scope: Scope; body?: string }[] = [
  { route: 'POST /v1/catalog', method: 'POST', path: '/v1/catalog', scope: 'catalog', body: catalogBody },
  { route: 'GET /v1/recs', method: 'GET', path: '/v1/recs', scope: 'read' },
  { route: 'GET /v1/inventory', method: 'GET', path: '/v1/inventory?ids=a', scope: 'read' },
  { route: 'GET /v1/profile/user/:id', method: 'GET', path: '/v1/profile/user/someone', scope: 'read' },
  { route: 'GET /v1/profile/device/:id', method: 'GET', path: '/v1/profile/device/anon-1', scope: 'read' },
  { route: 'GET /v1/experiments/:key', method: 'GET', path: '/v1/experiments/recs-strategy', scope: 'read' },
  { route: 'GET /v1/rollups/funnel', method: 'GET', path: '/v1/rollups/funnel', scope: 'read' },
  { route: 'DELETE /v1/users/:userId', method: 'DELETE', path: '/v1/users/someone', scope: 'admin' },
];
const scopes = Object.keys(secrets) as Scope[];

describe.each(bearerRoutes)('$route', ({ method, path, scope, body }) => {
  const call = (token: string | null) =>
    setup().app.request(path, { method, ...(body !== undefined ? { body } : {}), headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) } });

  it.each(scopes.filter((s) => s !== scope))(`refuses the %s secret with 403 wrong_scope`, async (other) => {
    const response = await call(secrets[other]);
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    const answer = (await response.json()) as { error: string; message: string };
    expect(answer.error).toBe('wrong_scope');
    // It names the variables, never a value.
    expect(answer.message).not.toContain(secrets[other]);
  });

  it(`takes its own (${scope}) secret`, async () => {
    const response = await call(secrets[scope]);
    expect([401, 403]).not.toContain(response.status);
  });

  it('answers 401 without a bearer or with one that is no secret at all', async () => {
    for (const token of [null, 'not-a-secret-of-this-collector']) {
      const response = await call(token);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: string }).error).toBe('unauthorized');
    }
  });
});

describe('POST /v1/ingest', () => {
  const body = JSON.stringify(envelope([pageView('anon-aaaaaaaa')]));

  it.each(scopes.filter((s) => s !== 'relay'))('refuses a body signed with the %s secret with 403 wrong_scope', async (other) => {
    const { app, metrics } = setup();
    const response = await app.request('/v1/ingest', { method: 'POST', body, headers: await signedHeaders(body, secrets[other]) });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toBe('wrong_scope');
    expect((await metrics.errors.get()).values.find((v) => v.labels.kind === 'wrong_scope')?.value).toBe(1);
  });

  it('takes a body signed with the relay secret, and answers 401 for one signed with a stranger', async () => {
    const { app } = setup();
    expect((await app.request('/v1/ingest', { method: 'POST', body, headers: await signedHeaders(body, secrets.relay) })).status).toBe(202);
    const stranger = await app.request('/v1/ingest', { method: 'POST', body, headers: await signedHeaders(body, 'a-stranger-secret') });
    expect(stranger.status).toBe(401);
    expect(((await stranger.json()) as { error: string }).error).toBe('bad_signature');
  });

  it('answers a stale signature of another scope 401, as any stale signature', async () => {
    const { app } = setup();
    const response = await app.request('/v1/ingest', { method: 'POST', body, headers: await signedHeaders(body, secrets.read, NOW - 10 * 60 * 1000) });
    expect(response.status).toBe(401);
  });
});

import { describe, expect, it } from 'vitest';
import { topicNames } from '@sessionflow/core';
import { createCollectorApp } from '../src/app.js';
import { createLogger } from '../src/log.js';
import { createCollectorMetrics } from '../src/metrics.js';
import { ADMIN_SECRET, FakeProbe, FakeSink, NOW, SECRET } from './fakes.js';

const topics = topicNames('test');
const CATALOG_SECRET = 'catalog-test-secret';

function setup() {
  const sink = new FakeSink();
  const readiness = new FakeProbe();
  const app = createCollectorApp({
    config: { relaySecret: SECRET, readSecret: 'catalog-test-read-secret', catalogSecret: CATALOG_SECRET, adminSecret: ADMIN_SECRET, bodyLimitBytes: 64 * 1024, produceTimeoutMs: 5_000 },
    topics,
    sink,
    readiness,
    metrics: createCollectorMetrics({ defaultMetrics: false }),
    now: () => NOW,
    logger: createLogger('error', () => undefined),
  });
  const push = (body: unknown, token: string | null = CATALOG_SECRET) =>
    app.request('/v1/catalog', {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    });
  return { sink, readiness, push };
}

const mug = { id: 'sku-1', name: 'Blue mug', category: 'kitchen', price: '€12.00', href: '/p/sku-1', inStock: true };
const kettle = { id: 'sku-2', name: 'Kettle', category: 'kitchen', price: '€40.00', inStock: false };

describe('POST /v1/catalog', () => {
  it('writes each product to the products topic and its stock to the inventory topic, keyed by product id', async () => {
    const { push, sink } = setup();
    const response = await push({ products: [mug, kettle] });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ products: 2 });
    const products = sink.records.filter((r) => r.topic === topics.products);
    const inventory = sink.records.filter((r) => r.topic === topics.inventory);
    expect(products.map((r) => [r.key, JSON.parse(r.value)])).toEqual([
      ['sku-1', { id: 'sku-1', name: 'Blue mug', category: 'kitchen', price: '€12.00', href: '/p/sku-1' }],
      ['sku-2', { id: 'sku-2', name: 'Kettle', category: 'kitchen', price: '€40.00' }],
    ]);
    expect(inventory.map((r) => [r.key, JSON.parse(r.value)])).toEqual([
      ['sku-1', { inStock: true }],
      ['sku-2', { inStock: false }],
    ]);
  });

  it('refuses a request without the bearer secret, in JSON, and writes nothing', async () => {
    const { push, sink } = setup();
    for (const token of [null, 'not-the-secret']) {
      const response = await push({ products: [mug] }, token);
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      expect(((await response.json()) as { error: string }).error).toBe('unauthorized');
    }
    expect(sink.records).toHaveLength(0);
  });

  it('names the field that is wrong', async () => {
    const { push, sink } = setup();
    const response = await push({ products: [mug, { ...kettle, price: 40 }] });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; field: string; message: string };
    expect(body.error).toBe('invalid_catalog');
    expect(body.field).toBe('products.1.price');
    expect(body.message).toContain('must be a string');
    expect(sink.records).toHaveLength(0);
  });

  it('refuses a product without stock information and a repeated id', async () => {
    const { push } = setup();
    const { inStock: _omitted, ...noStock } = mug;
    const missing = (await (await push({ products: [noStock] })).json()) as { field: string };
    expect(missing.field).toBe('products.0.inStock');
    const repeated = await push({ products: [mug, mug] });
    expect(repeated.status).toBe(400);
    expect(((await repeated.json()) as { message: string }).message).toContain('must not repeat a product id');
  });

  it('refuses a body that is not JSON', async () => {
    const { push } = setup();
    const response = await push('{"products": [');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_json');
  });

  it('answers 503 when Kafka does not take the records', async () => {
    const { push, sink } = setup();
    sink.failWith = new Error('broker down');
    const response = await push({ products: [mug] });
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: string }).error).toBe('kafka_unavailable');
  });
});

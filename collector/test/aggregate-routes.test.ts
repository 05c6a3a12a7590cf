import { describe, expect, it } from 'vitest';
import { readout, topicNames } from '@sessionflow/core';
import { createCollectorApp } from '../src/app.js';
import { createLogger } from '../src/log.js';
import { createCollectorMetrics } from '../src/metrics.js';
import { parseExperiments } from '../src/pipeline/experiments/config.js';
import { minuteOf } from '../src/pipeline/rollups/minute.js';
import type { FunnelStep } from '../src/pipeline/rollups/steps.js';
import type { AggregateReads, StoredFunnel } from '../src/read/aggregate-store.js';
import { ReadStoreUnavailableError } from '../src/read/store.js';
import { ADMIN_SECRET, CATALOG_SECRET, FakeProbe, FakeSink, NOW, SECRET } from './fakes.js';

const READ_SECRET = 'read-test-secret';
const experiments = parseExperiments(
  JSON.stringify([
    { key: 'recs-strategy', version: 3, traffic: 1, variants: [{ name: 'similar', weight: 1 }, { name: 'popular', weight: 3 }], control: 'popular' },
  ]),
  'EXPERIMENTS',
);
const visitors = (pv: number, view: number, cart: number, buy: number): Record<FunnelStep, number> => ({ page_view: pv, product_view: view, add_to_cart: cart, purchase: buy });

class FakeReads implements AggregateReads {
  up = true;
  failing = false;
  counts: Record<string, Record<string, number>> = {};
  asked: string[][] = [];
  funnelMinute: StoredFunnel['minutes'][number] | undefined;

  available(): boolean {
    return this.up;
  }
  async experimentCounts(key: string) {
    this.check();
    return this.counts[key] ?? {};
  }
  async funnel(minutes: readonly string[]): Promise<StoredFunnel> {
    this.check();
    this.asked.push([...minutes]);
    return {
      minutes: minutes.map((minute) => (this.funnelMinute && minute === this.funnelMinute.minute ? this.funnelMinute : { minute, cells: [], visitors: visitors(0, 0, 0, 0) })),
      visitors: visitors(4, 2, 0, 0),
    };
  }
  private check(): void {
    if (this.failing) throw new ReadStoreUnavailableError('Redis did not answer: timeout');
  }
}

function setup(reads: AggregateReads | undefined) {
  const app = createCollectorApp({
    config: { relaySecret: SECRET, readSecret: READ_SECRET, catalogSecret: CATALOG_SECRET, adminSecret: ADMIN_SECRET, bodyLimitBytes: 1024, produceTimeoutMs: 5_000 },
    topics: topicNames('test'),
    sink: new FakeSink(),
    readiness: new FakeProbe(),
    aggregateReads: reads,
    experiments,
    metrics: createCollectorMetrics({ defaultMetrics: false }),
    now: () => NOW,
    logger: createLogger('error', () => undefined),
  });
  return async (path: string, token: string | null = READ_SECRET) => {
    const response = await app.request(path, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
}

describe('aggregate routes: access and store', () => {
  it.each(['/v1/experiments/recs-strategy', '/v1/rollups/funnel'])('%s needs the read secret (401 JSON)', async (path) => {
    const get = setup(new FakeReads());
    expect(await get(path, null)).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
    expect(await get(path, 'wrong')).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
  });

  it.each(['/v1/experiments/recs-strategy', '/v1/rollups/funnel'])('%s answers 503 without a store, with Redis down or failing', async (path) => {
    expect(await setup(undefined)(path)).toMatchObject({ status: 503, body: { error: 'read_store_unavailable', message: expect.stringContaining('REDIS_URL') } });
    const down = new FakeReads();
    down.up = false;
    expect(await setup(down)(path)).toMatchObject({ status: 503, body: { error: 'read_store_unavailable' } });
    const failing = new FakeReads();
    failing.failing = true;
    expect(await setup(failing)(path)).toMatchObject({ status: 503, body: { message: expect.stringContaining('timeout') } });
  });
});

describe('GET /v1/experiments/:key', () => {
  it("reads out the stored counts with the configured weights and control, plus the holdout's counts", async () => {
    const reads = new FakeReads();
    reads.counts['recs-strategy'] = {
      'exposures:similar': 300,
      'units:similar': 250,
      'conversions:similar': 40,
      'exposures:popular': 800,
      'units:popular': 760,
      'conversions:popular': 90,
      'exposures:holdout': 12,
      'units:holdout': 10,
      'conversions:holdout': 1,
    };
    const { status, body } = await setup(reads)('/v1/experiments/recs-strategy');
    expect(status).toBe(200);
    const expected = readout({
      control: 'popular',
      variants: [
        { name: 'similar', weight: 1, exposures: 300, exposedUnits: 250, conversions: 40 },
        { name: 'popular', weight: 3, exposures: 800, exposedUnits: 760, conversions: 90 },
      ],
    });
    expect(body).toEqual({
      experiment: 'recs-strategy',
      version: 3,
      status: 'running',
      conversion: { type: 'track', name: 'add_to_cart' },
      ...JSON.parse(JSON.stringify(expected)),
      holdout: { exposures: 12, exposedUnits: 10, conversions: 1 },
      generatedAt: NOW,
    });
  });

  it('reads an experiment nobody was exposed to yet as zeros, without a holdout', async () => {
    const { status, body } = await setup(new FakeReads())('/v1/experiments/recs-strategy');
    expect(status).toBe(200);
    expect(body['variants']).toMatchObject([
      { name: 'similar', exposures: 0, exposedUnits: 0, conversions: 0, conversionRate: null },
      { name: 'popular', control: true, exposures: 0, lift: null },
    ]);
    expect(body['sampleRatio']).toBeNull();
    expect(body).not.toHaveProperty('holdout');
  });

  it('answers 404 JSON for an experiment that is not configured', async () => {
    const { status, body } = await setup(new FakeReads())('/v1/experiments/banner');
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: 'not_found', field: 'key', message: expect.stringContaining('recs-strategy') });
  });
});

describe('GET /v1/rollups/funnel', () => {
  it('reads the last 15 minutes by default, ending with the current one, and up to 1440', async () => {
    const reads = new FakeReads();
    const get = setup(reads);
    expect((await get('/v1/rollups/funnel')).status).toBe(200);
    expect(reads.asked[0]).toHaveLength(15);
    expect(reads.asked[0]?.at(-1)).toBe(minuteOf(NOW));
    expect(reads.asked[0]?.[0]).toBe(minuteOf(NOW - 14 * 60_000));
    expect((await get('/v1/rollups/funnel?minutes=1440')).status).toBe(200);
    expect(reads.asked[1]).toHaveLength(1440);
  });

  it.each(['0', '1441', 'ten', '1.5', ''])('refuses minutes=%s with JSON naming the field', async (minutes) => {
    const reads = new FakeReads();
    const { status, body } = await setup(reads)(`/v1/rollups/funnel?minutes=${minutes}`);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_query', field: 'minutes', message: expect.stringMatching(/^minutes: /) });
    expect(reads.asked).toEqual([]);
  });

  it('shows each minute per source and device with totals and step-to-step conversion', async () => {
    const reads = new FakeReads();
    const minute = minuteOf(NOW - 60_000);
    reads.funnelMinute = {
      minute,
      cells: [
        { step: 'page_view', source: 'newsletter', device: 'mobile', events: 3, visitors: 2 },
        { step: 'product_view', source: 'newsletter', device: 'mobile', events: 1, visitors: 1 },
        { step: 'page_view', source: 'direct', device: 'desktop', events: 2, visitors: 2 },
      ],
      visitors: visitors(4, 1, 0, 0),
    };
    const { body } = await setup(reads)('/v1/rollups/funnel?minutes=2');
    expect(body['minutes']).toBe(2);
    expect(body['steps']).toEqual(['page_view', 'product_view', 'add_to_cart', 'purchase']);
    const [earlier, current] = body['buckets'] as Record<string, unknown>[];
    expect(current).toEqual({
      minute: `${minuteOf(NOW)}:00.000Z`,
      segments: [],
      total: expect.objectContaining({ steps: expect.objectContaining({ page_view: { events: 0, visitors: 0 } }) }),
    });
    expect(earlier?.['minute']).toBe(`${minute}:00.000Z`);
    const segments = earlier?.['segments'] as Record<string, unknown>[];
    expect(segments.map((s) => `${s['source']}/${s['device']}`)).toEqual(['direct/desktop', 'newsletter/mobile']);
    expect(segments[1]).toMatchObject({
      steps: { page_view: { events: 3, visitors: 2 }, product_view: { events: 1, visitors: 1 }, add_to_cart: { events: 0, visitors: 0 } },
      conversion: [
        { from: 'page_view', to: 'product_view', rate: 0.5 },
        { from: 'product_view', to: 'add_to_cart', rate: 0 },
        { from: 'add_to_cart', to: 'purchase', rate: null },
      ],
    });
    expect(earlier?.['total']).toMatchObject({ steps: { page_view: { events: 5, visitors: 4 }, product_view: { events: 1, visitors: 1 } } });
    expect(body['total']).toMatchObject({
      steps: { page_view: { events: 5, visitors: 4 }, product_view: { events: 1, visitors: 2 } },
      conversion: [{ from: 'page_view', to: 'product_view', rate: 0.5 }, expect.anything(), expect.anything()],
    });
    expect(body['generatedAt']).toBe(NOW);
  });
});

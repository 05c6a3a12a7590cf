/**
 * Catalog feed → Kafka → pipeline → Redis → read API, against a real Kafka
 * broker and a real redis-server: popularity recommendations never offer what
 * is out of stock, a duplicated event counts once, and a pipeline killed with
 * SIGKILL resumes from the offsets it stored in Redis with the same counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceRef, encodeEventRecord, parseInventoryView, parseProfileView, parseRecsView, topicNames, type SessionflowEvent } from '@sessionflow/core';
import { startPipeline, type RunningPipeline } from '../../src/pipeline/pipeline.js';
import type { BatchOutcome } from '../../src/pipeline/apply.js';
import type { IdentityOutcome } from '../../src/pipeline/identity/apply.js';
import { byUserValue } from '../../src/pipeline/identity/records.js';
import type { RunningCollector } from '../../src/server.js';
import { identityKeys } from '../../src/store/identity-keys.js';
import { storeKeys } from '../../src/store/keys.js';
import { CATALOG_SECRET, envelope, SECRET, signedHeaders } from '../fakes.js';
import { addToCart, eventually, getEach, layoutOf, scoreOverParts, sortedSetOverParts, type Infra, newVisitor, pageView, pipelineSettings, productClick, readyProbes, startInfra, startPipelineChild, startReadyPipeline, startTestCollector, type TestRedis } from './support.js';

const READ_SECRET = 'integration-read-secret';

let infra: Infra;
let redis: TestRedis;

beforeAll(async () => {
  infra = await startInfra();
  redis = infra.store;
});

afterAll(async () => {
  await infra?.stop();
});

/** Applied records per topic, as the pipeline reports its batches; the identity stage's copies apart. */
class BatchTally {
  readonly applied = new Map<string, number>();
  duplicates = 0;
  replayed = 0;
  /** Copies the identity stage dropped: an event id it had re-keyed already. */
  identityDuplicates = 0;
  readonly onBatch = (batch: { topic: string }, outcome: BatchOutcome) => {
    this.applied.set(batch.topic, (this.applied.get(batch.topic) ?? 0) + outcome.applied);
    this.duplicates += outcome.duplicates;
    this.replayed += outcome.replayed;
  };
  readonly onIdentityBatch = (_batch: unknown, outcome: IdentityOutcome) => {
    this.identityDuplicates += outcome.duplicates;
  };
  of(topic: string): number {
    return this.applied.get(topic) ?? 0;
  }
}

describe('catalog, pipeline and read API on real Kafka and Redis', () => {
  const prefix = 'it-read';
  const topics = topicNames(prefix);
  const tally = new BatchTally();
  let byUserWrittenByTest = 0;
  let collector: RunningCollector;
  let pipeline: RunningPipeline;

  const read = async (pathAndQuery: string) => {
    const response = await fetch(`${collector.url}${pathAndQuery}`, { headers: { authorization: `Bearer ${READ_SECRET}` } });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const ingest = async (events: SessionflowEvent[]) => {
    const body = JSON.stringify(envelope(events, { receivedAt: Date.now() }));
    const response = await fetch(`${collector.url}/v1/ingest`, { method: 'POST', body, headers: await signedHeaders(body, SECRET, Date.now()) });
    expect(response.status).toBe(202);
  };
  const pushCatalog = async (products: unknown[]) => {
    const response = await fetch(`${collector.url}/v1/catalog`, {
      method: 'POST',
      body: JSON.stringify({ products }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CATALOG_SECRET}` },
    });
    expect(response.status).toBe(202);
  };
  const recIds = async (query: string, source: 'session' | 'popularity' = 'popularity') => {
    const { status, body } = await read(`/v1/recs${query}`);
    expect(status).toBe(200);
    const view = parseRecsView(body);
    if (!view.ok) throw new Error(view.errors.join('; '));
    expect(view.value.source).toBe(source);
    return view.value.items.map((i) => i.id);
  };

  const catalog = [
    { id: 'mug', name: 'Blue mug', category: 'kitchen', price: '€12.00', href: '/p/mug', inStock: true },
    { id: 'kettle', name: 'Kettle', category: 'kitchen', price: '€40.00', inStock: false },
    { id: 'pan', name: 'Pan', category: 'kitchen', price: '€30.00', inStock: true },
    { id: 'rake', name: 'Rake', category: 'garden', price: '€25.00', inStock: true },
    { id: 'hose', name: 'Hose', category: 'garden', price: '€18.00', inStock: true },
  ];
  const shopper = newVisitor();

  beforeAll(async () => {
    collector = await startTestCollector(infra, prefix, READ_SECRET);
    pipeline = await startReadyPipeline(infra, prefix, { onBatch: tally.onBatch, onIdentityBatch: tally.onIdentityBatch });
  });

  afterAll(async () => {
    await pipeline?.close();
    await collector?.close();
  });

  it('recommends in-stock products by popularity, the context category first, never the out-of-stock one', async () => {
    await pushCatalog(catalog);
    await eventually('the catalog in Redis', async () => tally.of(topics.products) >= 5 && tally.of(topics.inventory) >= 5);

    // In the past: the pipeline dates an event no later than the edge received it.
    const t = Date.now() - 1_000;
    const events = [
      productClick(shopper, 'kettle', 'kitchen', t),
      productClick(shopper, 'kettle', 'kitchen', t + 1),
      productClick(shopper, 'kettle', 'kitchen', t + 2),
      productClick(shopper, 'pan', 'kitchen', t + 3),
      productClick(shopper, 'pan', 'kitchen', t + 4),
      // No category in the event: the pipeline takes the catalog's.
      addToCart(shopper, 'rake', t + 5),
      productClick(shopper, 'mug', 'kitchen', t + 6),
      pageView(shopper, t + 7),
    ];
    await ingest(events);
    await eventually('the events in Redis', async () => tally.of(topics.eventsByUser) >= events.length);

    // kettle 3 (out of stock), rake 3 (one add to cart), pan 2, mug 1, hose untouched.
    expect(await recIds('')).toEqual(['rake', 'pan', 'mug', 'hose']);
    // The visitor's recently viewed (kettle, pan, mug) make a prefix its own session continues: pan, voted for; then popularity.
    expect(await recIds('?context=mug&device=' + shopper.anonymousId, 'session')).toEqual(['pan', 'rake', 'hose']);
    expect(await recIds('?n=2')).toEqual(['rake', 'pan']);

    const stock = await read('/v1/inventory?ids=mug,kettle,unknown');
    expect(stock.status).toBe(200);
    expect(parseInventoryView(stock.body)).toEqual({ ok: true, value: { inStock: { mug: true, kettle: false } } });

    const profile = await read(`/v1/profile/device/${shopper.anonymousId}`);
    expect(profile.status).toBe(200);
    const view = parseProfileView(profile.body);
    if (!view.ok) throw new Error(view.errors.join('; '));
    expect(view.value).toMatchObject({ kind: 'device', id: shopper.anonymousId, anonymousIds: [shopper.anonymousId], sessions: 1, recentlyViewed: ['mug', 'pan', 'kettle'], purchased: [] });
    expect(view.value.affinities['kitchen']).toBeCloseTo(6, 2);
    expect(view.value.affinities['garden']).toBeCloseTo(3, 2);
    expect(view.value.updatedAt).toBe(t + 7);
    expect((await read('/v1/profile/device/anon-nobody-at-all')).status).toBe(404);
    // The same id named as a user is another namespace: nobody.
    expect((await read(`/v1/profile/user/${shopper.anonymousId}`)).status).toBe(404);
  });

  it('stops recommending a product once the catalog says it went out of stock', async () => {
    await pushCatalog([{ ...catalog[2], inStock: false }]);
    await eventually('the stock change in Redis', async () => (await redis.hGet(layoutOf(prefix).stock('pan').inventory, 'pan')) === '0');
    expect(await recIds('')).toEqual(['rake', 'mug', 'hose']);
    expect(await recIds('?context=mug')).toEqual(['rake', 'hose']);
  });

  it('counts an event delivered twice once', async () => {
    const before = tally.of(topics.eventsByUser);
    const duplicatesBefore = tally.duplicates;
    const identityDuplicatesBefore = tally.identityDuplicates;
    const click = productClick(shopper, 'hose', 'garden');
    // A retry's copy reaches sf.events: the identity stage re-keys the event once.
    await ingest([click]);
    await ingest([click]);
    await eventually('the copy dropped by the identity stage', async () => tally.identityDuplicates > identityDuplicatesBefore);
    // A by-user record written twice (the identity stage sent, then died before storing its offset): the aggregates stage counts it once.
    const raw = encodeEventRecord(click, { siteKey: 'demo-site-key', receivedAt: click.timestamp + 5, ingestedAt: click.timestamp + 6 }).value;
    await infra.producer.send({ topic: topics.eventsByUser, acks: -1, messages: [{ key: deviceRef(shopper.anonymousId), value: byUserValue(raw, deviceRef(shopper.anonymousId)) }] });
    byUserWrittenByTest++;
    await eventually('the original and the by-user copy consumed', async () => tally.of(topics.eventsByUser) >= before + 2);
    expect(tally.identityDuplicates - identityDuplicatesBefore).toBe(1);
    expect(tally.duplicates - duplicatesBefore).toBe(1);
    expect(await scoreOverParts(redis, layoutOf(prefix), (keys) => keys.popularity, 'hose')).toBe(1);
    expect(await scoreOverParts(redis, layoutOf(prefix), (keys) => keys.categoryPopularity('garden'), 'hose')).toBe(1);
  });

  it('serves its metrics: records by stage and outcome as the batches reported them, and no lag once caught up', async () => {
    const text = await (await fetch(`${pipeline.url}/metrics`)).text();
    const sample = (name: string, labels: Record<string, string>) => {
      const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
      const lines = text.split('\n').filter((line) => line.startsWith(`${name}{`) && wanted.every((w) => line.includes(w)));
      return lines.reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    };
    const byUser = { stage: 'aggregates', topic: topics.eventsByUser };
    expect(sample('sessionflow_pipeline_records_total', { ...byUser, outcome: 'duplicate' })).toBe(tally.duplicates);
    expect(sample('sessionflow_pipeline_records_total', { ...byUser, outcome: 'applied' }) + tally.duplicates).toBe(tally.of(topics.eventsByUser));
    // Every by-user record but the copy the test wrote itself came from the identity stage.
    expect(sample('sessionflow_pipeline_records_total', { stage: 'identity', topic: topics.events, outcome: 'applied' })).toBeGreaterThanOrEqual(tally.of(topics.eventsByUser) - byUserWrittenByTest);
    expect(text).toMatch(/sessionflow_pipeline_lag_records\{stage="aggregates",topic="[^"]+",partition="\d+"\} 0/);
    expect(sample('sessionflow_pipeline_lag_records', byUser)).toBe(0);
    // Every record a stage applied is in its Kafka → Redis histogram (duplicates and unreadable ones, covered by the same batch, too).
    for (const stage of ['identity', 'sessions', 'aggregates']) {
      const applied = sample('sessionflow_pipeline_records_total', { stage, outcome: 'applied' });
      expect(applied).toBeGreaterThan(0);
      expect(sample('sessionflow_pipeline_kafka_to_redis_seconds_count', { stage })).toBeGreaterThanOrEqual(applied);
      expect(sample('sessionflow_pipeline_kafka_to_redis_seconds_sum', { stage })).toBeGreaterThan(0);
    }
  });
});

/** `npm run pipeline` as a child process of its own, so it can be killed for real. */
function startPipelineProcess(prefix: string, logName: string) {
  return startPipelineChild(infra, { name: 'pipeline', prefix, logName });
}

describe('the pipeline process', () => {
  it('becomes ready once it joined its group, and exits 0 on SIGTERM', async () => {
    const child = startPipelineProcess('it-process', 'pipeline-process.log');
    try {
      await readyProbes(child, 'the pipeline', 30_000);
      process.kill(child.pid, 'SIGTERM');
      expect(await child.exited).toBe(0);
    } finally {
      await child.stop(5_000);
    }
  });
});

describe('a pipeline killed and restarted', () => {
  const prefix = 'it-restart';
  const topics = topicNames(prefix);
  const layout = layoutOf(prefix);
  const products = Array.from({ length: 8 }, (_, i) => ({ id: `p${i}`, category: i % 2 === 0 ? 'even' : 'odd' }));

  /** 600 distinct events over 30 visitors, and the popularity they add up to (view 1, add to cart 3). */
  function stream(): { events: SessionflowEvent[]; popularity: Map<string, number>; viewsByCategory: Map<string, Map<string, number>>; sessions: Map<string, number> } {
    const visitors = Array.from({ length: 30 }, () => newVisitor());
    const events: SessionflowEvent[] = [];
    const popularity = new Map<string, number>();
    // Adds to cart name no category and no catalog was pushed here: per category, only views count.
    const viewsByCategory = new Map<string, Map<string, number>>();
    const t = Date.now();
    for (let i = 0; i < 600; i++) {
      const visitor = visitors[i % visitors.length]!;
      const product = products[(i * 7) % products.length]!;
      const cart = i % 5 === 0;
      events.push(cart ? addToCart(visitor, product.id, t + i) : productClick(visitor, product.id, product.category, t + i));
      popularity.set(product.id, (popularity.get(product.id) ?? 0) + (cart ? 3 : 1));
      if (!cart) {
        const views = viewsByCategory.get(product.category) ?? new Map<string, number>();
        views.set(product.id, (views.get(product.id) ?? 0) + 1);
        viewsByCategory.set(product.category, views);
      }
    }
    return { events, popularity, viewsByCategory, sessions: new Map(visitors.map((v) => [v.anonymousId, 1])) };
  }

  const sum = (values: (string | null)[]) => values.reduce((total, v) => total + Number(v ?? 0), 0);
  /** Events the identity stage re-keyed, once the aggregates stage applied every by-user record it wrote (0 until then). */
  const storedOffsets = async () => {
    // In this order: what the identity stage covered was produced before the end offsets are read.
    const rekeyed = sum(await getEach(redis, [0, 1, 2].map((p) => identityKeys(prefix, topics.events, p).offset)));
    const byUserEnd = (await infra.admin.fetchTopicOffsets(topics.eventsByUser)).reduce((total, p) => total + Number(p.high), 0);
    const applied = sum(await getEach(redis, [0, 1, 2].map((p) => storeKeys(prefix, topics.eventsByUser, p).offset)));
    return applied === byUserEnd ? rekeyed : 0;
  };

  it('resumes from the offsets stored in Redis and ends with the same counts', async () => {
    await infra.createTopics(topics);
    const send = async (events: SessionflowEvent[]) => {
      const messages = events.map((e) => encodeEventRecord(e, { siteKey: 'demo-site-key', receivedAt: e.timestamp + 5, ingestedAt: e.timestamp + 6 }));
      await infra.producer.send({ topic: topics.events, acks: -1, messages });
    };

    const { events, popularity, viewsByCategory, sessions } = stream();
    const firstHalf = events.slice(0, 300);
    // The second half carries 10 re-deliveries of first-half events: they must count once, across the kill too.
    const redelivered = firstHalf.slice(0, 10);
    const secondHalf = [...events.slice(300), ...redelivered];

    let child: ReturnType<typeof startPipelineChild> | undefined;
    let restarted: RunningPipeline | undefined;
    try {
      await send(firstHalf);
      child = startPipelineProcess(prefix, 'pipeline-killed.log');
      await eventually('the first pipeline to apply the first half', async () => (await storedOffsets()) === firstHalf.length, 60_000);
      // No goodbye: the group only notices at its session timeout, and nothing is flushed.
      process.kill(-child.pid, 'SIGKILL');
      await child.exited;

      await send(secondHalf);
      const tally = new BatchTally();
      restarted = await startPipeline(pipelineSettings(infra, prefix), { onBatch: tally.onBatch, onIdentityBatch: tally.onIdentityBatch });
      await eventually('the restarted pipeline to apply the rest', async () => (await storedOffsets()) === firstHalf.length + secondHalf.length, 90_000);

      // The restarted instance started where Redis said: it applied only the second half, and saw only the deliberate
      // re-deliveries as duplicates, in the identity stage, whose marks the killed instance had stored.
      expect(tally.identityDuplicates).toBe(redelivered.length);
      expect(tally.of(topics.eventsByUser)).toBe(secondHalf.length - redelivered.length);
      expect(tally.duplicates).toBe(0);

      // Popularity is kept in per-partition parts: their sums are the stream's.
      expect(await sortedSetOverParts(redis, layout, (keys) => keys.popularity)).toEqual(popularity);
      for (const [category, views] of viewsByCategory) {
        expect(await sortedSetOverParts(redis, layout, (keys) => keys.categoryPopularity(category))).toEqual(views);
      }
      // Each profile counted its one session once, across the kill and the re-deliveries.
      for (const [visitor, count] of sessions) {
        const keys = layout.profile(deviceRef(visitor));
        expect(await redis.hGet(keys.profile(deviceRef(visitor)), 'sessions')).toBe(String(count));
        expect(await redis.zCard(keys.profileSessions(deviceRef(visitor)))).toBe(count);
      }
    } finally {
      await restarted?.close();
      await child?.stop(5_000);
    }
  });
});

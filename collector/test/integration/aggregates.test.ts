/**
 * Experiment readouts and funnel rollups on real Kafka and Redis: records on
 * the topic the aggregates stage consumes (`sf.events.by-user`, with the
 * canonical id the identity stage adds) → the pipeline's Lua scripts in the
 * batch's transaction → `/v1/experiments/:key` with the exact counts and core's
 * readout over them, and `/v1/rollups/funnel` with per-minute HyperLogLog
 * visitors. Duplicates and prefix records change nothing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readout, SCHEMA_VERSION, topicNames, userRef, type SessionflowEvent } from '@sessionflow/core';
import type { Producer } from 'kafkajs';
import type { BatchOutcome } from '../../src/pipeline/apply.js';
import type { RunningPipeline } from '../../src/pipeline/pipeline.js';
import { minuteOf } from '../../src/pipeline/rollups/minute.js';
import type { RunningCollector } from '../../src/server.js';
import { eventually, layoutOf, startInfra, startReadyPipeline, startTestCollector, type Infra, type TestRedis } from './support.js';

const READ_SECRET = 'aggregates-read-secret';
const prefix = 'it-aggr';
const topics = topicNames(prefix);
const layout = layoutOf(prefix);

let infra: Infra;
let redis: TestRedis;
let collector: RunningCollector;
let pipeline: RunningPipeline;
let producer: Producer;
let applied = 0;
let produced = 0;

beforeAll(async () => {
  infra = await startInfra();
  ({ store: redis, producer } = infra);
  collector = await startTestCollector(infra, prefix, READ_SECRET);
  pipeline = await startReadyPipeline(infra, prefix, {
    onBatch: (batch: { topic: string }, outcome: BatchOutcome) => {
      if (batch.topic === topics.eventsByUser) applied += outcome.applied;
    },
  });
});

afterAll(async () => {
  await pipeline?.close();
  await collector?.close();
  await infra?.stop();
});

interface Person {
  /** The profile's ref, as the identity stage stamps it. */
  canonicalId: string;
  anonymousId: string;
  sessionId: string;
  /** The traffic source the identity stage stamps on the session's records, once it saw the landing page view. */
  source?: string;
}

const person = (): Person => ({ canonicalId: userRef(`user-${randomUUID()}`), anonymousId: `anon-${randomUUID()}`, sessionId: `session-${randomUUID()}` });

type Extra = { device?: string; attribution?: 'prefix'; page?: { url: string; referrer: string }; at?: number };

/** A by-user record value as the identity stage writes it. */
function record(p: Person, event: Record<string, unknown>, extra: Extra = {}): { key: string; value: string } {
  const at = extra.at ?? Date.now();
  const value = {
    schemaVersion: SCHEMA_VERSION,
    eventId: `evt-${randomUUID()}`,
    anonymousId: p.anonymousId,
    sessionId: p.sessionId,
    timestamp: at,
    page: extra.page ?? { url: 'https://shop.example/', referrer: '' },
    ...event,
    ingest: { siteKey: 'demo-site-key', receivedAt: Date.now(), ingestedAt: Date.now(), ...(extra.device ? { device: extra.device } : {}) },
    canonicalId: p.canonicalId,
    ...(extra.attribution ? { attribution: extra.attribution } : {}),
    ...(p.source !== undefined && extra.attribution === undefined ? { source: p.source } : {}),
  } satisfies Partial<SessionflowEvent> & Record<string, unknown>;
  return { key: p.canonicalId, value: JSON.stringify(value) };
}

const exposure = (p: Person, variant: string, experiment = 'recs-strategy', extra: Extra = {}) =>
  record(p, { type: 'exposure', actionId: 'recs-home', experiment, variant }, extra);
const track = (p: Person, name: string, props: Record<string, unknown> = {}, extra: Extra = {}) => record(p, { type: 'track', name, props }, extra);

async function produce(records: { key: string; value: string }[]): Promise<void> {
  await producer.send({ topic: topics.eventsByUser, messages: records });
  produced += records.length;
  await eventually(`the pipeline to apply ${produced} records`, async () => applied >= produced);
}

async function read(pathAndQuery: string, token: string | null = READ_SECRET): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${collector.url}${pathAndQuery}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('experiment readouts', () => {
  it('counts exposures, exposed units and conversions exactly, and reads them out with core', async () => {
    const [a1, a2, a3, b1, b2, b3, late] = Array.from({ length: 7 }, person) as Person[];
    const duplicate = exposure(b3 as Person, 'popular');
    await produce([
      exposure(a1!, 'similar'),
      exposure(a1!, 'similar'), // a repeat exposure: one more exposure, the same unit
      track(a1!, 'add_to_cart', { productId: 'sku-1' }),
      track(a1!, 'add_to_cart', { productId: 'sku-2' }), // a unit converts once
      track(a2!, 'add_to_cart', { productId: 'sku-1' }), // before its exposure: not a conversion
      exposure(a2!, 'similar'),
      exposure(a3!, 'similar'),
      exposure(b1!, 'popular'),
      exposure(b1!, 'similar'), // counted as an exposure of similar; the unit stays popular's
      track(b1!, 'add_to_cart', { productId: 'sku-3' }),
      exposure(b2!, 'popular'),
      track(b2!, 'add_to_cart', { productId: 'sku-3' }),
      duplicate,
      duplicate, // the same event id again
      track(b3!, 'purchase', { productId: 'sku-3' }), // not this experiment's conversion
      exposure(late!, 'popular', 'recs-strategy', { attribution: 'prefix' }), // prefix records feed profiles only
      track(late!, 'add_to_cart', { productId: 'sku-1' }, { attribution: 'prefix' }),
      exposure(late!, 'popular', 'not-configured'),
      exposure(late!, 'forged-variant'),
    ]);

    const { status, body } = await read('/v1/experiments/recs-strategy');
    expect(status).toBe(200);
    const expected = readout({
      control: 'similar',
      variants: [
        { name: 'similar', weight: 1, exposures: 5, exposedUnits: 3, conversions: 1 },
        { name: 'popular', weight: 1, exposures: 3, exposedUnits: 3, conversions: 2 },
      ],
    });
    expect(body).toMatchObject({ experiment: 'recs-strategy', version: 1, conversion: { type: 'track', name: 'add_to_cart' }, ...expected });
    const popular = (body['variants'] as { name: string; conversionRate: number; lift: { absolute: number; sequentialInterval: unknown } }[])[1];
    expect(popular?.conversionRate).toBeCloseTo(2 / 3, 12);
    expect(popular?.lift.absolute).toBeCloseTo(1 / 3, 12);
    expect(popular?.lift.sequentialInterval).not.toBeNull();
    expect(body['sampleRatio']).toMatchObject({ pValue: expect.any(Number) });

    // The exact state behind it: one hash entry per exposed unit, its variant fixed by the first exposure.
    // Each unit in the experiment's part kept by the partition that owns the unit's profile.
    const unitOf = async (ref: string) => redis.hGet(layout.profile(ref).experimentUnits('recs-strategy'), ref);
    expect(await unitOf(b1!.canonicalId!)).toBe('1popular');
    expect(await unitOf(a2!.canonicalId!)).toBe('0similar');
    expect(await unitOf(late!.canonicalId!)).toBeNull();
    // Bounded: the experiment's keys expire after its quiet period (a TTL, not for ever).
    const part = layout.profile(b1!.canonicalId!);
    for (const key of [part.experimentUnits('recs-strategy'), part.experimentCounts('recs-strategy')]) expect(await redis.ttl(key)).toBeGreaterThan(0);
  });

  it('answers 404 JSON for an experiment that is not configured, and 401 without the secret', async () => {
    const unknown = await read('/v1/experiments/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: 'not_found', field: 'key' });
    expect((await read('/v1/experiments/recs-strategy', null)).status).toBe(401);
  });
});

describe('funnel rollups', () => {
  it('counts each step per minute, traffic source and device, with distinct visitors by HyperLogLog', async () => {
    // Two whole minutes in the past, so both lie inside the default 15-minute window.
    const first = (Math.floor(Date.now() / 60_000) - 3) * 60_000 + 5_000;
    const second = first + 60_000;
    // Sources as the identity stage stamps them from each session's landing page view, produced below.
    const [v1, v2, v3] = [{ ...person(), source: 'newsletter' }, { ...person(), source: 'google.com' }, { ...person(), source: 'direct' }];
    const landing = (url: string, referrer = '') => ({ url, referrer });
    const repeated = record(v3, { type: 'page_view' }, { at: first });
    await produce([
      record(v1, { type: 'page_view' }, { at: first, device: 'mobile', page: landing('https://shop.example/?utm_source=Newsletter') }),
      record(v1, { type: 'page_view' }, { at: first, device: 'mobile', page: landing('https://shop.example/p/1?utm_source=other') }), // stamped with the landing page's source
      record(v1, { type: 'click', element: { tag: 'a' }, product: { id: 'sku-1', category: 'mugs' } }, { at: first, device: 'mobile' }),
      track(v1, 'add_to_cart', { productId: 'sku-1' }, { at: first, device: 'mobile' }),
      track(v1, 'purchase', { productId: 'sku-1' }, { at: first, device: 'mobile' }),
      record(v2, { type: 'page_view' }, { at: first, device: 'desktop', page: landing('https://shop.example/', 'https://www.google.com/search?q=mug') }),
      record(v2, { type: 'page_view' }, { at: first, device: 'desktop', page: landing('https://shop.example/p/2', 'https://shop.example/') }),
      track(v2, 'product_view', { productId: 'sku-2' }, { at: second, device: 'desktop' }),
      repeated,
      repeated,
      record(v1, { type: 'page_view' }, { at: first, device: 'mobile', attribution: 'prefix' }),
    ]);

    const { status, body } = await read('/v1/rollups/funnel');
    expect(status).toBe(200);
    expect(body['minutes']).toBe(15);
    const buckets = body['buckets'] as { minute: string; segments: unknown[]; total: unknown }[];
    expect(buckets).toHaveLength(15);
    const bucket = (at: number) => buckets.find((b) => b.minute === `${minuteOf(at)}:00.000Z`);
    const steps = (pv: [number, number], view: [number, number], cart: [number, number], buy: [number, number]) => ({
      page_view: { events: pv[0], visitors: pv[1] },
      product_view: { events: view[0], visitors: view[1] },
      add_to_cart: { events: cart[0], visitors: cart[1] },
      purchase: { events: buy[0], visitors: buy[1] },
    });

    expect(bucket(first)?.segments).toEqual([
      { source: 'direct', device: 'unknown', steps: steps([1, 1], [0, 0], [0, 0], [0, 0]), conversion: expect.any(Array) },
      { source: 'google.com', device: 'desktop', steps: steps([2, 1], [0, 0], [0, 0], [0, 0]), conversion: expect.any(Array) },
      { source: 'newsletter', device: 'mobile', steps: steps([2, 1], [1, 1], [1, 1], [1, 1]), conversion: expect.any(Array) },
    ]);
    expect(bucket(first)?.total).toEqual({
      steps: steps([5, 3], [1, 1], [1, 1], [1, 1]),
      conversion: [
        { from: 'page_view', to: 'product_view', rate: 1 / 3 },
        { from: 'product_view', to: 'add_to_cart', rate: 1 },
        { from: 'add_to_cart', to: 'purchase', rate: 1 },
      ],
    });
    // A later event of the session counts under its stamp, the session's source, in its own minute.
    expect(bucket(second)?.segments).toEqual([{ source: 'google.com', device: 'desktop', steps: steps([0, 0], [1, 1], [0, 0], [0, 0]), conversion: expect.any(Array) }]);
    // The window's visitors are a union over its minutes (the carts and purchases of the experiment test above fall in it too).
    expect(body['total']).toMatchObject({ steps: { page_view: { events: 5, visitors: 3 }, product_view: { events: 2, visitors: 2 } } });

    // Every partition's part of the minute that holds events expires with the minute's retention.
    const ttls = (await Promise.all(layout.everyByUser().map((part) => redis.ttl(part.funnelEvents(minuteOf(first)))))).filter((ttl) => ttl !== -2);
    expect(ttls.length).toBeGreaterThan(0);
    for (const ttl of ttls) {
      expect(ttl).toBeGreaterThan(47 * 3600);
      expect(ttl).toBeLessThanOrEqual(48 * 3600);
    }
  });

  it('refuses a bad minutes with JSON naming the field', async () => {
    for (const minutes of ['0', '1441', 'ten']) {
      const { status, body } = await read(`/v1/rollups/funnel?minutes=${minutes}`);
      expect(status).toBe(400);
      expect(body).toMatchObject({ error: 'invalid_query', field: 'minutes' });
    }
    expect((await read('/v1/rollups/funnel?minutes=1440')).status).toBe(200);
  });
});

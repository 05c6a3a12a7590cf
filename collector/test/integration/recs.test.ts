/**
 * Session-aware recommendations learned live, against a real Kafka broker and a real redis-server:
 * sessions on the aggregates stage's input topic teach co-occurrence, and `/v1/recs` continues a
 * new session with it, never offers what is out of stock, and continues a session with no views
 * yet from what the same person viewed on another device.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceRef, encodeEventRecord, parseRecsView, userRef, topicNames, type RecsView, type SessionflowEvent } from '@sessionflow/core';
import type { Producer } from 'kafkajs';
import type { RunningPipeline } from '../../src/pipeline/pipeline.js';
import type { RunningCollector } from '../../src/server.js';
import type { StoreKeys } from '../../src/store/keys.js';
import { CATALOG_SECRET } from '../fakes.js';
import { eventually, layoutOf, newVisitor, productClick, startInfra, startReadyPipeline, startTestCollector, type Infra, type TestRedis, type Visitor } from './support.js';

const READ_SECRET = 'integration-read-secret';
const prefix = 'it-recs';
const topics = topicNames(prefix);
const layout = layoutOf(prefix);

/** A list's length summed over every by-user partition's part (a session's items live with the person, a product's sessions in every part). */
async function lengthOverParts(part: (keys: StoreKeys) => string): Promise<number> {
  return (await Promise.all(layout.everyByUser().map((keys) => redis.lLen(part(keys))))).reduce((a, b) => a + b, 0);
}

let infra: Infra;
let redis: TestRedis;
let collector: RunningCollector;
let pipeline: RunningPipeline;
let producer: Producer;

beforeAll(async () => {
  infra = await startInfra();
  ({ store: redis, producer } = infra);
  await infra.createTopics(topics);
  collector = await startTestCollector(infra, prefix, READ_SECRET);
  pipeline = await startReadyPipeline(infra, prefix);
});

afterAll(async () => {
  await pipeline?.close();
  await collector?.close();
  await infra?.stop();
});

/** Views as the identity stage hands them to the aggregates stage: keyed and stamped with the canonical profile's ref. */
async function sendViews(visitor: Visitor, canonicalId: string, products: readonly string[], at: number): Promise<void> {
  const events: SessionflowEvent[] = products.map((id, i) => productClick(visitor, id, 'kitchen', at + i));
  const messages = events.map((event) => {
    const record = encodeEventRecord(event, { siteKey: 'demo-site-key', receivedAt: event.timestamp + 5, ingestedAt: event.timestamp + 6 });
    return { key: canonicalId, value: `${record.value.slice(0, -1)},"canonicalId":${JSON.stringify(canonicalId)}}` };
  });
  await producer.send({ topic: topics.eventsByUser, acks: -1, messages });
}

async function learned(sessionId: string, count: number): Promise<void> {
  await eventually(`session ${sessionId} in the model`, async () => (await lengthOverParts((keys) => keys.recsSessionItems(sessionId))) >= count);
}

async function recs(query: string): Promise<RecsView> {
  const response = await fetch(`${collector.url}/v1/recs?${query}`, { headers: { authorization: `Bearer ${READ_SECRET}` } });
  expect(response.status).toBe(200);
  const view = parseRecsView(await response.json());
  if (!view.ok) throw new Error(view.errors.join('; '));
  return view.value;
}

describe('recommendations learned live from the stream', () => {
  const catalog = [
    { id: 'A', name: 'Teapot', category: 'kitchen', price: '€20.00', href: '/p/A', inStock: true },
    { id: 'B', name: 'Tea cups', category: 'kitchen', price: '€12.00', href: '/p/B', inStock: true },
    { id: 'C', name: 'Kettle', category: 'kitchen', price: '€35.00', inStock: true },
    { id: 'D', name: 'Tea caddy', category: 'kitchen', price: '€9.00', inStock: false },
    { id: 'E', name: 'Spoon', category: 'kitchen', price: '€3.00', inStock: true },
  ];

  beforeAll(async () => {
    const response = await fetch(`${collector.url}/v1/catalog`, {
      method: 'POST',
      body: JSON.stringify({ products: catalog }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CATALOG_SECRET}` },
    });
    expect(response.status).toBe(202);
    await eventually('the catalog and stock in Redis', async () => (await Promise.all(layout.owners.inventory.all().map((p) => redis.hLen(layout.inventoryAt(p).inventory)))).reduce((a, b) => a + b, 0) === catalog.length);

    // Viewers of A go on to D most (out of stock), then B, rarely C. E only ever alone, so it is popular but no neighbour's.
    const t = Date.now() - 60_000;
    const sessions: [Visitor, string[]][] = [
      ...Array.from({ length: 5 }, (): [Visitor, string[]] => [newVisitor(), ['A', 'D']]),
      ...Array.from({ length: 3 }, (): [Visitor, string[]] => [newVisitor(), ['A', 'B']]),
      [newVisitor(), ['A', 'C']],
      ...Array.from({ length: 4 }, (): [Visitor, string[]] => [newVisitor(), ['E']]),
    ];
    for (const [i, [visitor, products]] of sessions.entries()) await sendViews(visitor, deviceRef(visitor.anonymousId), products, t + i * 10);
    for (const [visitor, products] of sessions) await learned(visitor.sessionId, products.length);
  });

  it('continues a new session viewing A with B first, as a session recommendation', async () => {
    const visitor = newVisitor();
    await sendViews(visitor, deviceRef(visitor.anonymousId), ['A'], Date.now() - 1_000);
    await learned(visitor.sessionId, 1);

    const onPage = await recs(`device=${visitor.anonymousId}&session=${visitor.sessionId}&context=A&n=3`);
    expect(onPage.source).toBe('session');
    expect(onPage.items.map((i) => i.id)).toEqual(['B', 'C', 'E']);
    expect(onPage.items[0]).toMatchObject({ id: 'B', name: 'Tea cups', category: 'kitchen', href: '/p/B', price: '€12.00' });
  });

  it('never recommends the out-of-stock product, though it co-occurs with A most', async () => {
    const answers = await Promise.all([
      recs('context=A&n=10'),
      recs(`session=${newVisitor().sessionId}&context=A&n=10`),
      recs('n=10'),
    ]);
    for (const answer of answers) expect(answer.items.map((i) => i.id)).not.toContain('D');
    // And in stock it would have come first: the state holds the co-occurrence.
    expect(await lengthOverParts((keys) => keys.recsItemSessions('D'))).toBe(5);
  });

  it("continues a session with no views yet from the views of the same person's other device", async () => {
    const user = `user-${newVisitor().anonymousId}`;
    const laptop = newVisitor();
    const query = `user=${user}&session=${laptop.sessionId}&n=3`;
    const before = await recs(query);
    expect(before.source).toBe('popularity');

    const phone = newVisitor();
    await sendViews(phone, userRef(user), ['C'], Date.now() - 1_000);
    await learned(phone.sessionId, 1);
    await eventually('the view in the profile', async () => (await redis.lRange(layout.profile(userRef(user)).profileRecentlyViewed(userRef(user)), 0, -1)).includes('C'));

    const after = await recs(query);
    expect(after.source).toBe('session');
    expect(after.items.map((i) => i.id)).not.toEqual(before.items.map((i) => i.id));
    // C to come back to, then what viewers of C viewed: A.
    expect(after.items.map((i) => i.id).slice(0, 2)).toEqual(['C', 'A']);
    // The laptop's own recommendations (named as a device) know nothing of the user's views: a device never reads its user's profile.
    expect((await recs(`device=${laptop.anonymousId}&session=${laptop.sessionId}&n=3`)).source).toBe('popularity');
  });
});

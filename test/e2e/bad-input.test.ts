/**
 * Bad input end to end, on real workerd, collector and Kafka: each kind gets
 * its own clear JSON error, one bad event does not sink the good ones, and
 * nothing falls over.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { decodeEventRecord, SIGNATURE_HEADER } from '@sessionflow/core';
import { newVisitor, pageView, productClick } from './support/events.js';
import { startTestStack, type TestStack } from './support/stack.js';
import { TopicReader } from './support/topic-reader.js';

let stack: TestStack;
let events: TopicReader;
let failed = false;

beforeAll(async () => {
  stack = await startTestStack(['edge']);
  events = await TopicReader.open(stack.kafkaBrokers, `${stack.topicPrefix}.events`);
});

afterAll(async () => {
  await events?.close();
  await stack?.close(failed);
});

/** As the storefront's page posts: from the origin the edge allows for the site. */
const collect = (body: string, { site = stack.siteKey, headers = { origin: stack.siteOrigin! } as Record<string, string> } = {}): Promise<Response> =>
  fetch(`${stack.edgeUrl}/v1/collect?site=${encodeURIComponent(site)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

async function jsonError(res: Response): Promise<{ error: string; message: string }> {
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  const body = (await res.json()) as { error: string; message: string };
  expect(typeof body.error).toBe('string');
  expect(body.message.length).toBeGreaterThan(0);
  return body;
}

test('a batch with one malformed event and two valid ones: 200, the bad one named, the good ones in Kafka', async (ctx) => {
  ctx.onTestFailed(() => void (failed = true));
  const visitor = newVisitor();
  const good1 = pageView(visitor);
  const bad = { ...productClick(visitor, 'sku-1003'), page: { url: 'not a url' } };
  const good2 = productClick(visitor, 'sku-1004');

  const res = await collect(JSON.stringify({ events: [good1, bad, good2], sentAt: Date.now() }));
  expect(res.status).toBe(200);
  const body = (await res.json()) as { accepted: number; rejected: { index: number; errors: { field: string; reason: string }[] }[]; actions: unknown[] };
  expect(body.accepted).toBe(2);
  expect(body.actions).toEqual([]);
  expect(body.rejected).toHaveLength(1);
  expect(body.rejected[0]!.index).toBe(1);
  expect(body.rejected[0]!.errors.map((e) => e.field)).toContain('page.url');
  expect(body.rejected[0]!.errors[0]!.reason.length).toBeGreaterThan(0);

  const landed = await events.waitFor((records) => {
    const ids = records.map((r) => decodeEventRecord(r.value).eventId);
    return ids.includes(good1.eventId) && ids.includes(good2.eventId) ? ids : undefined;
  });
  expect(landed).not.toContain(bad.eventId);
});

test('a body that is not JSON gets 400 with a JSON error', async () => {
  const res = await collect('{"events": [ this is not json');
  expect(res.status).toBe(400);
  await jsonError(res);
});

test('a body over the size limit is refused with 413, whether or not it says its length', async () => {
  const huge = JSON.stringify({ events: [pageView(newVisitor())], padding: 'x'.repeat(2 * 1024 * 1024) });
  const res = await collect(huge);
  expect(res.status).toBe(413);
  await jsonError(res);

  // Chunked, with no Content-Length to trust.
  const chunks = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < 64; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(32 * 1024)));
      controller.close();
    },
  });
  const streamed = await fetch(`${stack.edgeUrl}/v1/collect?site=${stack.siteKey}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: stack.siteOrigin! },
    body: chunks,
    duplex: 'half',
  } as RequestInit);
  expect(streamed.status).toBe(413);
  await jsonError(streamed);

  // The refused upload leaves the edge able to answer the next request.
  const next = await collect(JSON.stringify({ events: [pageView(newVisitor())] }));
  expect(next.status).toBe(200);
});

test('a wrong site key gets 401', async () => {
  const res = await collect(JSON.stringify({ events: [pageView(newVisitor())] }), { site: 'no-such-site' });
  expect(res.status).toBe(401);
  await jsonError(res);
});

test('a post without an Origin (not a browser on the site) gets 401, and one from another origin 403', async () => {
  const body = JSON.stringify({ events: [pageView(newVisitor())] });
  const bare = await collect(body, { headers: {} });
  expect(bare.status).toBe(401);
  expect((await jsonError(bare)).error).toBe('origin_required');
  const elsewhere = await collect(body, { headers: { origin: 'https://attacker.example' } });
  expect(elsewhere.status).toBe(403);
  expect((await jsonError(elsewhere)).error).toBe('origin_not_allowed');
});

test('a collector request with a bad or missing signature gets 401, and nothing reaches Kafka', async () => {
  const visitor = newVisitor();
  const event = pageView(visitor);
  const body = JSON.stringify({ relayVersion: 1, siteKey: stack.siteKey, receivedAt: Date.now(), events: [event] });
  const forged = `t=${Math.floor(Date.now() / 1000)},v1=${'ab'.repeat(32)}`;

  const bad = await fetch(`${stack.collectorUrl}/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: forged },
    body,
  });
  expect(bad.status).toBe(401);
  await jsonError(bad);

  const missing = await fetch(`${stack.collectorUrl}/v1/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(missing.status).toBe(401);

  // A later good batch for the same visitor arrives; the forged one never does.
  const marker = pageView(visitor);
  expect((await collect(JSON.stringify({ events: [marker] }))).status).toBe(200);
  const ids = await events.waitFor((records) => {
    const all = records.map((r) => decodeEventRecord(r.value).eventId);
    return all.includes(marker.eventId) ? all : undefined;
  });
  expect(ids).not.toContain(event.eventId);
});

test('after all that, nothing has crashed', async () => {
  expect((await fetch(`${stack.edgeUrl}/healthz`)).status).toBe(200);
  expect((await fetch(`${stack.collectorUrl}/readyz`)).status).toBe(200);
});

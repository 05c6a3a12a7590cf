import { describe, expect, it } from 'vitest';
import { decodeEventRecord, topicNames, SIGNATURE_HEADER } from '@sessionflow/core';
import { createCollectorApp } from '../src/app.js';
import { createCollectorMetrics } from '../src/metrics.js';
import { createLogger } from '../src/log.js';
import type { OutboundRecord, RecordSink } from '../src/ingest/sink.js';
import { ADMIN_SECRET, CATALOG_SECRET, click, crypto, envelope, FakeProbe, FakeSink, NOW, pageView, SECRET, signedHeaders } from './fakes.js';

const topics = topicNames('test');
const LIMIT = 8 * 1024;

function setup(options: { sink?: RecordSink; produceTimeoutMs?: number; draining?: boolean } = {}) {
  const sink = new FakeSink();
  const readiness = new FakeProbe();
  const metrics = createCollectorMetrics();
  const app = createCollectorApp({
    config: { relaySecret: SECRET, readSecret: 'test-read-secret', catalogSecret: CATALOG_SECRET, adminSecret: ADMIN_SECRET, bodyLimitBytes: LIMIT, produceTimeoutMs: options.produceTimeoutMs ?? 5_000 },
    topics,
    sink: options.sink ?? sink,
    readiness,
    metrics,
    crypto,
    now: () => NOW,
    isDraining: () => options.draining ?? false,
    logger: createLogger('error', () => undefined),
  });
  const ingest = async (body: string, headers?: Record<string, string>) =>
    app.request('/v1/ingest', { method: 'POST', body, headers: headers ?? (await signedHeaders(body)) });
  return { app, sink, readiness, metrics, ingest };
}

async function errorOf(response: Response): Promise<{ error: string; message: string; field?: string }> {
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  return (await response.json()) as { error: string; message: string; field?: string };
}

describe('POST /v1/ingest: signature', () => {
  const body = JSON.stringify(envelope([pageView('anon-aaaaaaaa')]));

  it('accepts a body signed with the shared secret', async () => {
    const { ingest, sink } = setup();
    const response = await ingest(body);
    expect(response.status).toBe(202);
    expect(sink.records).toHaveLength(1);
  });

  it('refuses a request without a signature', async () => {
    const { ingest, sink } = setup();
    const response = await ingest(body, { 'content-type': 'application/json' });
    expect(response.status).toBe(401);
    const error = await errorOf(response);
    expect(error.error).toBe('bad_signature');
    expect(error.message).toContain(`missing ${SIGNATURE_HEADER}`);
    expect(sink.records).toHaveLength(0);
  });

  it('refuses a signature made with another secret', async () => {
    const { ingest } = setup();
    const response = await ingest(body, await signedHeaders(body, 'someone-elses-secret'));
    expect(response.status).toBe(401);
    expect((await errorOf(response)).message).toContain('does not match');
  });

  it('refuses a signature over a different body', async () => {
    const { ingest } = setup();
    const tampered = body.replace('anon-aaaaaaaa', 'anon-bbbbbbbb');
    const response = await ingest(tampered, await signedHeaders(body));
    expect(response.status).toBe(401);
  });

  it('refuses a stale signature (replay)', async () => {
    const { ingest } = setup();
    const response = await ingest(body, await signedHeaders(body, SECRET, NOW - 10 * 60 * 1000));
    expect(response.status).toBe(401);
    expect((await errorOf(response)).message).toContain('timestamp');
  });

  it('refuses a malformed signature header', async () => {
    const { ingest } = setup();
    const response = await ingest(body, { [SIGNATURE_HEADER]: 'not-a-signature' });
    expect(response.status).toBe(401);
    expect((await errorOf(response)).message).toContain('malformed');
  });
});

describe('POST /v1/ingest: body', () => {
  it('answers 400 when the signed body is not JSON', async () => {
    const { ingest, sink } = setup();
    const response = await ingest('{"relayVersion": 1, oops');
    expect(response.status).toBe(400);
    expect((await errorOf(response)).error).toBe('invalid_json');
    expect(sink.records).toHaveLength(0);
  });

  it.each([
    ['relayVersion', envelope([], { relayVersion: 2 })],
    ['siteKey', envelope([], { siteKey: '' })],
    ['receivedAt', envelope([], { receivedAt: 'yesterday' })],
    ['events', envelope([], { events: 'none' })],
  ])('answers 400 naming %s when the envelope is bad', async (field, bad) => {
    const { ingest, sink } = setup();
    const response = await ingest(JSON.stringify(bad));
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.error).toBe('invalid_envelope');
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
    expect(sink.records).toHaveLength(0);
  });

  it('answers 413 when Content-Length is over the limit, before looking at the signature', async () => {
    const { ingest, sink } = setup();
    const body = JSON.stringify(envelope([pageView('anon-aaaaaaaa', { page: { url: `https://shop.example/?q=${'x'.repeat(LIMIT)}` } })]));
    const response = await ingest(body, { 'content-length': String(Buffer.byteLength(body)) });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).error).toBe('body_too_large');
    expect(sink.records).toHaveLength(0);
  });

  it('answers 413 when the body is over the limit and has no Content-Length', async () => {
    const { app } = setup();
    const chunk = new TextEncoder().encode('x'.repeat(1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Would go on for 1 MiB: the reader must stop early.
        if (sent++ < 1024) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await app.request('/v1/ingest', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
    expect(sent).toBeLessThan(1024);
  });

  it('answers 413 when Content-Length claims less than the body holds', async () => {
    const { ingest } = setup();
    const response = await ingest('x'.repeat(LIMIT + 1), { 'content-length': '10' });
    expect(response.status).toBe(413);
  });

  it('takes a body of exactly the limit', async () => {
    const { ingest } = setup();
    const base = JSON.stringify(envelope([pageView('anon-aaaaaaaa')]));
    const body = base + ' '.repeat(LIMIT - Buffer.byteLength(base));
    expect(Buffer.byteLength(body)).toBe(LIMIT);
    const response = await ingest(body);
    expect(response.status).toBe(202);
  });
});

describe('POST /v1/ingest: events to Kafka', () => {
  it('sends valid events keyed by anonymous id and dead-letters the invalid one with its reason', async () => {
    const { ingest, sink } = setup();
    const good1 = pageView('anon-aaaaaaaa');
    const bad = { ...click('anon-cccccccc', 'p-1'), timestamp: 'noon' };
    const good2 = click('anon-bbbbbbbb', 'p-42');
    const body = JSON.stringify(envelope([good1, bad, good2]));

    const response = await ingest(body);

    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 2, deadLettered: 1 });
    const events = sink.records.filter((r) => r.topic === 'test.events');
    expect(events.map((r) => r.key)).toEqual(['anon-aaaaaaaa', 'anon-bbbbbbbb']);
    const decoded = events.map((r) => decodeEventRecord(r.value));
    expect(decoded.map((e) => e.eventId)).toEqual([good1.eventId, good2.eventId]);
    expect(decoded[1]).toMatchObject({ type: 'click', product: { id: 'p-42' } });
    expect(decoded[0]?.ingest).toEqual({ siteKey: 'demo-site-key', receivedAt: NOW - 500, ingestedAt: NOW });

    const letters = sink.records.filter((r) => r.topic === 'test.events.dlq');
    expect(letters).toHaveLength(1);
    expect(letters[0]?.key).toBe('anon-cccccccc');
    const letter = JSON.parse(letters[0]?.value ?? '{}') as { errors: { field: string; reason: string }[]; event: unknown };
    expect(letter.errors[0]?.field).toBe('timestamp');
    expect(letter.errors[0]?.reason).toMatch(/number/);
    expect(letter.event).toEqual(bad);
  });

  it('hands all records of one request to the sink in one call', async () => {
    const { ingest, sink } = setup();
    const body = JSON.stringify(envelope([pageView('anon-aaaaaaaa'), { nonsense: true }, pageView('anon-aaaaaaaa')]));
    await ingest(body);
    expect(sink.calls).toHaveLength(1);
    expect(sink.calls[0]).toHaveLength(3);
  });

  it('answers 202 with zeros for an envelope without events, without producing', async () => {
    const { ingest, sink } = setup();
    const response = await ingest(JSON.stringify(envelope([])));
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 0, deadLettered: 0 });
    expect(sink.calls).toHaveLength(0);
  });

  it('answers 503 when Kafka fails the send', async () => {
    const { ingest, sink } = setup();
    sink.failWith = new Error('broker went away');
    const response = await ingest(JSON.stringify(envelope([pageView('anon-aaaaaaaa')])));
    expect(response.status).toBe(503);
    const error = await errorOf(response);
    expect(error.error).toBe('kafka_unavailable');
    expect(error.message).toContain('broker went away');
  });

  it('answers 503 when Kafka does not acknowledge in time', async () => {
    const never: RecordSink = {
      enqueue: (_records: readonly OutboundRecord[], signal?: AbortSignal) =>
        new Promise<void>((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason))),
    };
    const { ingest } = setup({ sink: never, produceTimeoutMs: 10 });
    const response = await ingest(JSON.stringify(envelope([pageView('anon-aaaaaaaa')])));
    expect(response.status).toBe(503);
    expect((await errorOf(response)).error).toBe('kafka_timeout');
  });

  it('answers 503 at once while the readiness probe sees Kafka down', async () => {
    const { ingest, sink, readiness } = setup();
    readiness.state = { ready: false, reason: 'connect ECONNREFUSED', checkedAt: NOW };
    const response = await ingest(JSON.stringify(envelope([pageView('anon-aaaaaaaa')])));
    expect(response.status).toBe(503);
    expect((await errorOf(response)).message).toContain('ECONNREFUSED');
    expect(sink.calls).toHaveLength(0);
  });

  it('answers 503 while shutting down', async () => {
    const { ingest, sink } = setup({ draining: true });
    const response = await ingest(JSON.stringify(envelope([pageView('anon-aaaaaaaa')])));
    expect(response.status).toBe(503);
    expect((await errorOf(response)).error).toBe('shutting_down');
    expect(sink.calls).toHaveLength(0);
  });
});

describe('health, readiness and metrics', () => {
  it('/healthz answers 200 whatever Kafka does', async () => {
    const { app, readiness } = setup();
    readiness.state = { ready: false, reason: 'down', checkedAt: NOW };
    expect((await app.request('/healthz')).status).toBe(200);
  });

  it('/readyz follows the probe', async () => {
    const { app, readiness } = setup();
    expect((await app.request('/readyz')).status).toBe(200);
    readiness.state = { ready: false, reason: 'no answer from Kafka within 800 ms', checkedAt: NOW };
    const notReady = await app.request('/readyz');
    expect(notReady.status).toBe(503);
    expect((await errorOf(notReady)).message).toContain('no answer from Kafka');
    readiness.state = { ready: true, checkedAt: NOW };
    expect((await app.request('/readyz')).status).toBe(200);
  });

  it('/readyz is not ready while shutting down', async () => {
    const { app } = setup({ draining: true });
    expect((await app.request('/readyz')).status).toBe(503);
  });

  it('/metrics exposes requests, events and errors after traffic, plus process metrics', async () => {
    const { app, ingest } = setup();
    await ingest(JSON.stringify(envelope([pageView('anon-aaaaaaaa'), pageView('anon-bbbbbbbb'), { type: 'click' }])));
    await ingest(JSON.stringify(envelope([pageView('anon-aaaaaaaa')])));
    await ingest('{}', { [SIGNATURE_HEADER]: 't=1,v1=00' });
    await app.request('/no/such/path');

    const response = await app.request('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('sessionflow_collector_http_requests_total{route="/v1/ingest",status="202"} 2');
    expect(text).toContain('sessionflow_collector_http_requests_total{route="/v1/ingest",status="401"} 1');
    expect(text).toContain('sessionflow_collector_http_requests_total{route="other",status="404"} 1');
    expect(text).toContain('sessionflow_collector_events_total{outcome="accepted"} 3');
    expect(text).toContain('sessionflow_collector_events_total{outcome="dead_lettered"} 1');
    expect(text).toContain('sessionflow_collector_errors_total{kind="bad_signature"} 1');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('answers other methods on /v1/ingest with 405', async () => {
    const { app } = setup();
    const response = await app.request('/v1/ingest');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('answers unknown paths with a JSON 404', async () => {
    const { app } = setup();
    const response = await app.request('/v2/elsewhere');
    expect(response.status).toBe(404);
    expect((await errorOf(response)).error).toBe('not_found');
  });
});

import { SIGNATURE_HEADER, verifyRelay, type HmacCrypto } from '@sessionflow/core';
import { describe, expect, it } from 'vitest';
import { ALLOWED_ORIGIN, base64ToBytes, callEdge, collectRequest, eventually, SITE_KEY, stubCollector } from './helpers.js';
import { pageView, productClick } from './events.js';
import { TEST_RELAY_SECRET } from './shared.js';

const secret = new TextEncoder().encode(TEST_RELAY_SECRET);

describe('POST /v1/collect', () => {
  it('relays a valid batch to the collector, signed over exactly the bytes sent', async () => {
    const collector = stubCollector('ok');
    const events = [pageView(), productClick()];

    const res = await callEdge(collectRequest(JSON.stringify({ events, sentAt: 1_767_225_601_000 })), { COLLECTOR_URL: collector.url });

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 2, rejected: [], actions: [] });
    // The visitor's object relays right after answering.
    const relays = await eventually(collector.received, (r) => r.length > 0);
    expect(relays).toHaveLength(1);
    const relay = relays[0]!;
    expect(relay.method).toBe('POST');
    expect(relay.path.endsWith('/v1/ingest')).toBe(true);
    expect(relay.headers['content-type']).toBe('application/json');
    const body = base64ToBytes(relay.bodyBase64);
    const check = await verifyRelay(crypto.subtle as unknown as HmacCrypto, secret, body, relay.headers[SIGNATURE_HEADER], Date.now());
    expect(check).toEqual({ ok: true });
    const envelope = JSON.parse(new TextDecoder().decode(body)) as Record<string, unknown>;
    expect(envelope).toMatchObject({ relayVersion: 1, siteKey: SITE_KEY, events });
    expect(typeof envelope['receivedAt']).toBe('number');
  });

  it('relays the browser\'s device class, told from the collect request\'s user agent', async () => {
    const collector = stubCollector('ok');
    const phone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
    const res = await callEdge(collectRequest(JSON.stringify({ events: [pageView()] }), { headers: { 'user-agent': phone } }), { COLLECTOR_URL: collector.url });
    expect(res.status).toBe(200);
    const [relay] = await eventually(collector.received, (r) => r.length > 0);
    const envelope = JSON.parse(new TextDecoder().decode(base64ToBytes(relay!.bodyBase64))) as Record<string, unknown>;
    expect(envelope['device']).toBe('mobile');
  });

  it('a signature made with another secret does not verify against the relayed body', async () => {
    const collector = stubCollector('ok');
    await callEdge(collectRequest(JSON.stringify({ events: [pageView()] })), { COLLECTOR_URL: collector.url });
    const [relay] = await eventually(collector.received, (r) => r.length > 0);
    const other = new TextEncoder().encode('some-other-secret');
    const check = await verifyRelay(crypto.subtle as unknown as HmacCrypto, other, base64ToBytes(relay!.bodyBase64), relay!.headers[SIGNATURE_HEADER], Date.now());
    expect(check.ok).toBe(false);
  });

  it('answers one malformed and two valid events with the rejection named, relaying only the valid two', async () => {
    const collector = stubCollector('ok');
    const good = [pageView(), productClick()];
    const bad = { ...productClick(), page: { url: 'not a url' } };

    const res = await callEdge(collectRequest(JSON.stringify({ events: [good[0], bad, good[1]] })), { COLLECTOR_URL: collector.url });

    expect(res.status).toBe(200);
    const answer = (await res.json()) as { accepted: number; rejected: { index: number; errors: { field: string; reason: string }[] }[] };
    expect(answer.accepted).toBe(2);
    expect(answer.rejected).toHaveLength(1);
    expect(answer.rejected[0]!.index).toBe(1);
    expect(answer.rejected[0]!.errors[0]!.field).toBe('page.url');
    expect(answer.rejected[0]!.errors[0]!.reason).toMatch(/URL/);
    const [relay] = await eventually(collector.received, (r) => r.length > 0);
    const envelope = JSON.parse(new TextDecoder().decode(base64ToBytes(relay!.bodyBase64))) as { events: { eventId: string }[] };
    expect(envelope.events.map((e) => e.eventId)).toEqual(good.map((e) => e['eventId']));
  });

  it('relays nothing when every event is rejected, and still answers 200', async () => {
    const collector = stubCollector('ok');
    const res = await callEdge(collectRequest(JSON.stringify({ events: [{ type: 'click' }] })), { COLLECTOR_URL: collector.url });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 0, rejected: [{ index: 0 }] });
    expect(await collector.received()).toEqual([]);
  });

  it('accepts text/plain bodies, as navigator.sendBeacon sends them', async () => {
    const collector = stubCollector('ok');
    const res = await callEdge(collectRequest(JSON.stringify({ events: [pageView()] }), { contentType: 'text/plain;charset=UTF-8' }), {
      COLLECTOR_URL: collector.url,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1 });
    expect(await eventually(collector.received, (r) => r.length > 0)).toHaveLength(1);
  });

  it('refuses a body that is not JSON with 400 invalid_json', async () => {
    const res = await callEdge(collectRequest('events=1&sentAt=2'));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ error: 'invalid_json', message: expect.stringMatching(/JSON/) });
  });

  it('refuses a body that is not UTF-8 with 400 invalid_json', async () => {
    const res = await callEdge(collectRequest(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_json' });
  });

  it('refuses a batch without events with 400 naming the field', async () => {
    const res = await callEdge(collectRequest(JSON.stringify({ events: [] })));
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { error: string; message: string; errors: { field: string }[] };
    expect(answer.error).toBe('invalid_batch');
    expect(answer.errors[0]!.field).toBe('events');
    expect(answer.message).toMatch(/^events: /);
  });

  it('refuses a batch naming a second visitor with 400 naming the field, relaying nothing', async () => {
    const collector = stubCollector('ok');
    const first = { ...pageView(), anonymousId: 'anon-visitor-one' };
    const second = { ...productClick(), anonymousId: 'anon-visitor-two' };
    const res = await callEdge(collectRequest(JSON.stringify({ events: [first, { ...first, eventId: crypto.randomUUID() }, second] })), { COLLECTOR_URL: collector.url });
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { error: string; message: string; errors: { field: string }[] };
    expect(answer.error).toBe('invalid_batch');
    expect(answer.errors[0]!.field).toBe('events.2.anonymousId');
    expect(answer.message).toMatch(/^events\.2\.anonymousId: /);
    expect(await collector.received()).toEqual([]);
  });

  it('refuses other content types with 415', async () => {
    const res = await callEdge(collectRequest(JSON.stringify({ events: [pageView()] }), { contentType: 'application/x-www-form-urlencoded' }));
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: 'unsupported_media_type' });
  });

  it('refuses a request without a content type with 415', async () => {
    const res = await callEdge(collectRequest(new Uint8Array(new TextEncoder().encode('{"events":[]}')), { contentType: null }));
    expect(res.status).toBe(415);
  });

  it('answers other methods with 405 JSON', async () => {
    const res = await callEdge(new Request('http://edge.test/v1/collect?site=demo-site-key', { method: 'GET', headers: { origin: ALLOWED_ORIGIN } }));
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('POST');
    expect(await res.json()).toMatchObject({ error: 'method_not_allowed' });
  });
});

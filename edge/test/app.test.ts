import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { callEdge, collectRequest, EDGE } from './helpers.js';
import { pageView } from './events.js';
import type { RecordedRelay } from './shared.js';

describe('the Worker entry point with the wrangler.toml bindings', () => {
  it('serves /healthz as JSON', async () => {
    const res = await exports.default.fetch(`${EDGE}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('takes a collect from the demo site and relays it', async () => {
    const event = pageView();
    const res = await exports.default.fetch(collectRequest(JSON.stringify({ events: [event] }), { origin: 'http://127.0.0.1:8080' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 1, rejected: [], actions: [] });
    // vitest.config.ts points COLLECTOR_URL at the stub's `ok-entrypoint` scenario.
    const received = await (await fetch(`${inject('collectorStubUrl')}/__received/ok-entrypoint`)).json<RecordedRelay[]>();
    const bodies = received.map((r) => atob(r.bodyBase64));
    expect(bodies.some((body) => body.includes(event['eventId'] as string))).toBe(true);
  });

  it('answers unknown routes with 404 JSON', async () => {
    const res = await exports.default.fetch(`${EDGE}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found' });
  });
});

describe('configuration errors', () => {
  it('answers 500 JSON naming the bad var, never an HTML page', async () => {
    const res = await callEdge(collectRequest(JSON.stringify({ events: [pageView()] })), { SITES: '{not json' });
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ error: 'config_invalid', message: expect.stringMatching(/^SITES: /) });
  });

  it('reports a missing relay secret on /healthz', async () => {
    const res = await callEdge(new Request(`${EDGE}/healthz`), { RELAY_HMAC_SECRET: undefined });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: 'relay_secret_missing' });
  });
});

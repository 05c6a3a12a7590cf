import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { callEdge, collectRequest, stubCollector } from './helpers.js';
import { pageView } from './events.js';

const batch = () => JSON.stringify({ events: [pageView()] });

describe('when the collector does not take the events', () => {
  it('answers 503 collector_unavailable when nothing listens at the collector URL', async () => {
    const res = await callEdge(collectRequest(batch()), { COLLECTOR_URL: inject('deadCollectorUrl') });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ error: 'collector_unavailable', message: expect.any(String) });
  });

  it('answers 503 when the collector answers 500', async () => {
    const collector = stubCollector('fail');
    const res = await callEdge(collectRequest(batch()), { COLLECTOR_URL: collector.url });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'collector_unavailable', message: expect.stringContaining('500') });
    expect(await collector.received()).toHaveLength(1);
  });

  it('answers 503 when the collector does not answer within the relay timeout', async () => {
    const collector = stubCollector('hang');
    const res = await callEdge(collectRequest(batch()), { COLLECTOR_URL: collector.url, RELAY_TIMEOUT_MS: '200' });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'collector_unavailable', message: expect.stringContaining('200 ms') });
  });

  it('refuses to relay unsigned when RELAY_HMAC_SECRET is missing, naming it', async () => {
    const collector = stubCollector('ok');
    const res = await callEdge(collectRequest(batch()), { COLLECTOR_URL: collector.url, RELAY_HMAC_SECRET: undefined });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: 'relay_secret_missing', message: expect.stringContaining('RELAY_HMAC_SECRET') });
    expect(await collector.received()).toEqual([]);
  });
});

import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { rateLimitOf } from '../src/visitor/rate-limit.js';
import { ALLOWED_ORIGIN, callEdge, collectRequest, EDGE, eventually, IDENTITY_SECRET, SERVER_SECRET, serverAuth, stubCollector } from './helpers.js';
import { pageView } from './events.js';

function preflight(origin: string, site = 'demo-site-key'): Request {
  return new Request(`${EDGE}/v1/collect?site=${site}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
}

const batch = () => JSON.stringify({ events: [pageView()] });

describe('site key and origin', () => {
  it('refuses an unknown site key with 401 JSON', async () => {
    const res = await callEdge(collectRequest(batch(), { site: 'no-such-site' }));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'unknown_site', message: expect.stringContaining('no-such-site') });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a request without a site key with 401', async () => {
    const res = await callEdge(collectRequest(batch(), { site: null }));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'unknown_site' });
  });

  it('refuses a disallowed origin with 403 and no CORS allow header, relaying nothing', async () => {
    const collector = stubCollector('ok');
    const res = await callEdge(collectRequest(batch(), { origin: 'https://evil.example' }), { COLLECTOR_URL: collector.url });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'origin_not_allowed', message: expect.stringContaining('https://evil.example') });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(await collector.received()).toEqual([]);
  });

  it('refuses an origin allowed for another site', async () => {
    const sites = JSON.stringify({ 'demo-site-key': { origins: ['http://localhost:8080'] }, 'other-site': { origins: ['https://other.example'] } });
    const res = await callEdge(collectRequest(batch(), { origin: 'https://other.example' }), { SITES: sites });
    expect(res.status).toBe(403);
  });

  it('refuses a request without an Origin by default with 401, relaying nothing', async () => {
    const collector = stubCollector('ok');
    const res = await callEdge(collectRequest(batch(), { origin: null, headers: serverAuth() }), { COLLECTOR_URL: collector.url });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'origin_required', message: expect.stringContaining('demo-site-key') });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(await collector.received()).toEqual([]);
  });

  describe('a site that allows requests without an Origin (its own server)', () => {
    const sites = JSON.stringify({ 'demo-site-key': { origins: ['http://localhost:8080'], allowMissingOrigin: true } });

    it('takes them with the site\'s server secret', async () => {
      const collector = stubCollector('ok');
      const res = await callEdge(collectRequest(batch(), { origin: null, headers: serverAuth() }), { SITES: sites, COLLECTOR_URL: collector.url });
      expect(res.status).toBe(200);
      expect(await eventually(collector.received, (r) => r.length > 0)).toHaveLength(1);
    });

    it.each([
      ['no Authorization', {}],
      ['another secret', serverAuth('x'.repeat(SERVER_SECRET.length))],
      ['the identity secret', serverAuth(IDENTITY_SECRET)],
      ['the secret without its last character', serverAuth(SERVER_SECRET.slice(0, -1))],
      ['the secret as Basic', { authorization: `Basic ${SERVER_SECRET}` }],
    ])('refuses them with %s: 401', async (_name, headers) => {
      const collector = stubCollector('ok');
      const res = await callEdge(collectRequest(batch(), { origin: null, headers }), { SITES: sites, COLLECTOR_URL: collector.url });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'origin_required' });
      expect(await collector.received()).toEqual([]);
    });

    it('refuses them when the site has no server secret, naming it', async () => {
      const res = await callEdge(collectRequest(batch(), { origin: null, headers: serverAuth() }), { SITES: sites, SITE_SECRETS: undefined });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ message: expect.stringContaining('SITE_SECRETS.demo-site-key.server') });
    });

    it('still checks a browser\'s Origin', async () => {
      const res = await callEdge(collectRequest(batch(), { origin: 'https://evil.example', headers: serverAuth() }), { SITES: sites });
      expect(res.status).toBe(403);
    });
  });
});

describe('CORS', () => {
  it('answers a preflight from an allowed origin', async () => {
    const res = await callEdge(preflight(ALLOWED_ORIGIN));
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
    expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('gives a preflight from a disallowed origin no allow headers', async () => {
    const res = await callEdge(preflight('https://evil.example'));
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('echoes the allowed origin on a successful collect', async () => {
    const collector = stubCollector('ok');
    const res = await callEdge(collectRequest(batch(), { origin: 'http://127.0.0.1:8080' }), { COLLECTOR_URL: collector.url });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8080');
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('keeps the CORS headers on error answers to an allowed origin, so the page can read them', async () => {
    const invalid = await callEdge(collectRequest('not json'));
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);

    // A visitor over its rate limit: 429 with Retry-After.
    const anonymousId = `anon-${crypto.randomUUID()}`;
    const many = Array.from({ length: rateLimitOf(env).events + 1 }, () => ({ ...pageView(), anonymousId, eventId: crypto.randomUUID() }));
    const limited = await callEdge(collectRequest(JSON.stringify({ events: many })), { COLLECTOR_URL: stubCollector('ok').url });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    // The SDK's backoff reads Retry-After, which the browser shows it only when exposed.
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('retry-after');
  });
});

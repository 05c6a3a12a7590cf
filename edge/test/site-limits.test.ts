/**
 * The per-site and per-client limits (Cloudflare's rate-limiting bindings,
 * run by miniflare): here the tight bindings of vitest.config.ts stand in for
 * wrangler.toml's, so a handful of requests reach them. Answered 429 with
 * Retry-After (the bindings' period); another site, or another client, still
 * gets through.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { newVisitor, visitorEvent } from './events.js';
import { callEdge, collectRequest, decideRequest, serverAuth, stubCollector } from './helpers.js';
import { TIGHT_CLIENT_LIMIT, TIGHT_SITE_LIMIT } from './shared.js';

const PERIOD_S = 60;

/**
 * The bindings count in fixed windows of the period: a test that would run
 * across a window's end waits for the next window to start, so its counts
 * are all in one window.
 */
async function freshWindow(): Promise<void> {
  const intoWindow = Date.now() % (PERIOD_S * 1000);
  if (intoWindow > (PERIOD_S - 10) * 1000) await new Promise((resolve) => setTimeout(resolve, PERIOD_S * 1000 - intoWindow + 50));
}

/** Two sites of fresh keys (the bindings count per key for the whole run), and the demo site, whose secrets are configured. */
function twoSites() {
  const first = `site-${crypto.randomUUID()}`;
  const second = `site-${crypto.randomUUID()}`;
  const origins = ['http://localhost:8080'];
  const sites = JSON.stringify({ 'demo-site-key': { origins, allowMissingOrigin: true }, [first]: { origins }, [second]: { origins } });
  return { first, second, sites };
}

const batch = () => {
  const visitor = newVisitor();
  return JSON.stringify({ events: [visitorEvent(visitor, 'page_view', Date.now())] });
};

describe('the per-site limit', () => {
  it('answers 429 with Retry-After once a site is over it, and lets a second site through', async () => {
    await freshWindow();
    const { first, second, sites } = twoSites();
    const bindings = { SITES: sites, SITE_RATE_LIMIT: env.TIGHT_SITE_RATE_LIMIT, COLLECTOR_URL: stubCollector('ok').url };
    for (let i = 0; i < TIGHT_SITE_LIMIT; i++) {
      // Each from its own client: only the site's count grows.
      const res = await callEdge(collectRequest(batch(), { site: first, headers: { 'cf-connecting-ip': `198.51.100.${i + 1}` } }), bindings);
      expect(res.status).toBe(200);
    }
    const over = await callEdge(collectRequest(batch(), { site: first, headers: { 'cf-connecting-ip': '198.51.100.200' } }), bindings);
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe(String(PERIOD_S));
    expect(over.headers.get('access-control-allow-origin')).toBe('http://localhost:8080');
    expect(await over.json()).toMatchObject({ error: 'rate_limited', message: expect.stringContaining('site') });

    const other = await callEdge(collectRequest(batch(), { site: second, headers: { 'cf-connecting-ip': '198.51.100.200' } }), bindings);
    expect(other.status).toBe(200);
  }, 30_000);

  it('counts the site\'s server calls too (decide)', async () => {
    await freshWindow();
    // demo-site-key's count is shared with the other tests of the tight binding only if they used it: they do not.
    const bindings = { SITE_RATE_LIMIT: env.TIGHT_SITE_RATE_LIMIT };
    const query = `site=demo-site-key&visitor=${newVisitor()}&url=${encodeURIComponent('https://shop.example/')}`;
    const statuses: number[] = [];
    for (let i = 0; i <= TIGHT_SITE_LIMIT; i++) statuses.push((await callEdge(decideRequest(query), bindings)).status);
    expect(statuses).toEqual([...Array(TIGHT_SITE_LIMIT).fill(200), 429]);
  }, 30_000);
});

describe('the per-client limit', () => {
  it('answers 429 with Retry-After once a client is over it; another client, or the same on another site, gets through', async () => {
    await freshWindow();
    const { first, second, sites } = twoSites();
    const ip = `203.0.113.${1 + Math.floor(Math.random() * 250)}`;
    const bindings = { SITES: sites, CLIENT_RATE_LIMIT: env.TIGHT_CLIENT_RATE_LIMIT, COLLECTOR_URL: stubCollector('ok').url };
    const from = (site: string, address: string) => callEdge(collectRequest(batch(), { site, headers: { 'cf-connecting-ip': address } }), bindings);
    for (let i = 0; i < TIGHT_CLIENT_LIMIT; i++) expect((await from(first, ip)).status).toBe(200);
    const over = await from(first, ip);
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe(String(PERIOD_S));
    expect(await over.json()).toMatchObject({ error: 'rate_limited', message: expect.stringContaining('client') });
    expect((await from(first, '2001:db8::1')).status).toBe(200);
    expect((await from(second, ip)).status).toBe(200);
  }, 30_000);

  it('does not count the site\'s own server, which speaks for many visitors from one address', async () => {
    await freshWindow();
    const { sites } = twoSites();
    const bindings = { SITES: sites, CLIENT_RATE_LIMIT: env.TIGHT_CLIENT_RATE_LIMIT, COLLECTOR_URL: stubCollector('ok').url };
    const statuses: number[] = [];
    for (let i = 0; i <= TIGHT_CLIENT_LIMIT + 1; i++) {
      const res = await callEdge(collectRequest(batch(), { origin: null, headers: { ...serverAuth(), 'cf-connecting-ip': '192.0.2.10' } }), bindings);
      statuses.push(res.status);
    }
    expect(statuses.every((status) => status === 200)).toBe(true);
  }, 30_000);
});

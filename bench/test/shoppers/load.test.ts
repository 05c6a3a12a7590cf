import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from 'hono/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopperLoad } from '../../src/shoppers/load.js';
import { loadSdkDelivery } from '../../src/shoppers/sdk-delivery.js';
import { visitStats } from '../../src/shoppers/visit-stats.js';
import { fixedModel, rates } from './model-fixture.js';

const SECRET = 'identity-secret-for-the-test';
const SITE = 'test-site';

interface Received {
  events: Array<{ eventId: string; anonymousId: string; type: string; token?: string; userId?: string }>;
  headers: http.IncomingHttpHeaders;
}

/** A stand-in for the edge: the first request of each device is refused with 429 and Retry-After, every later one taken. */
function stubEdge() {
  const received: Received[] = [];
  const refused = new Set<string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const batch = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: Received['events'] };
      const device = batch.events[0]!.anonymousId;
      if (!refused.has(device)) {
        refused.add(device);
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
        return res.end('{"error":"rate_limited"}');
      }
      received.push({ events: batch.events, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ accepted: batch.events.length, rejected: [], actions: [] }));
    });
  });
  return { server, received, refused };
}

describe('startShopperLoad against a stand-in edge', () => {
  const edge = stubEdge();
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => edge.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(edge.server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    edge.server.closeAllConnections();
    edge.server.close();
  });

  it('delivers every event the shoppers made, through refusals, one device per request, with tokens the site signed', async () => {
    const model = fixedModel({ signInShare: 0.5 });
    const r = rates({ crossDevice: 0.5 });
    const timeScale = 1_000;
    const stats = visitStats(model, r, timeScale, 1, 2_000);
    const load = startShopperLoad({
      sdk: await loadSdkDelivery(),
      model,
      rates: r,
      collectUrl: `${base}/v1/collect?site=${SITE}`,
      origin: 'http://shop.test',
      siteKey: SITE,
      identitySecret: SECRET,
      timeScale,
      seed: 3,
      eventsPerVisit: stats.eventsPerVisit,
      maxSockets: 32,
    });
    try {
      load.setPhase('run');
      load.setRate(400);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      load.stopCapture();
      for (let waited = 0; load.holding().events > 0 && waited < 30_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));

      const run = load.tally.phases.get('run')!;
      const delivered = edge.received.flatMap((r) => r.events);
      expect(run.offered).toBeGreaterThan(50);
      expect(load.holding().events).toBe(0);
      expect(load.tally.accepted.size).toBe(run.offered);
      expect(new Set(delivered.map((e) => e.eventId)).size).toBe(run.offered);
      // Every device's first try was refused, and its events came again after Retry-After.
      expect(run.byStatus['429']).toBe(edge.refused.size);
      expect(run.retryAfter).toEqual({ '1': edge.refused.size });
      for (const request of edge.received) {
        expect(new Set(request.events.map((e) => e.anonymousId)).size).toBe(1);
        expect(request.headers['origin']).toBe('http://shop.test');
      }
      const identifies = delivered.filter((e) => e.type === 'identify');
      expect(identifies.length).toBeGreaterThan(0);
      for (const e of identifies) {
        const claims = await verify(e.token!, SECRET, 'HS256');
        expect(claims).toMatchObject({ sub: e.userId, aud: SITE });
      }
      // A cross-device user shows up on two devices.
      const devicesOfUser = new Map<string, Set<string>>();
      for (const e of delivered) if (e.userId) devicesOfUser.set(e.userId, (devicesOfUser.get(e.userId) ?? new Set()).add(e.anonymousId));
      expect([...devicesOfUser.values()].some((d) => d.size === 2)).toBe(true);
    } finally {
      load.close();
    }
  }, 60_000);
});

describe('closing the shoppers', () => {
  it('stops every retry: an edge refusing everything hears nothing more once they are closed', async () => {
    let requests = 0;
    const server = http.createServer((req, res) => {
      requests += 1;
      req.resume();
      // Slow to answer, so sends are in flight when the shoppers close: their failures must not be retried.
      req.on('end', () =>
        setTimeout(() => {
          res.writeHead(503, { 'retry-after': '1', 'content-type': 'application/json' });
          res.end('{"error":"collector_unavailable"}');
        }, 500),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const model = fixedModel();
    const load = startShopperLoad({
      sdk: await loadSdkDelivery(),
      model,
      rates: rates(),
      collectUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/collect?site=${SITE}`,
      origin: 'http://shop.test',
      siteKey: SITE,
      identitySecret: SECRET,
      timeScale: 1_000,
      seed: 5,
      eventsPerVisit: visitStats(model, rates(), 1_000, 1, 500).eventsPerVisit,
      maxSockets: 8,
    });
    try {
      load.setRate(200);
      for (let waited = 0; requests < 10 && waited < 20_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(requests).toBeGreaterThanOrEqual(10);
      load.close();
      const atClose = requests;
      // Long enough for every device's Retry-After (1 s) and the first backoff steps to have come round.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(requests).toBe(atClose);
    } finally {
      load.close();
      server.closeAllConnections();
      server.close();
    }
  }, 60_000);
});

/**
 * When the collector does not take the events: each visitor's object keeps
 * them in its outbox, answers the browser 200 (the events are safe), and
 * relays them, in order, once the collector is back.
 */
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { OUTBOX_DEPTH_HEADER } from '../src/collect/route.js';
import { callEdge, collectRequest, eventually, relayedEvents, stubCollector } from './helpers.js';
import { pageView } from './events.js';

const visitorEvent = (anonymousId: string, n: number) => ({ ...pageView(), anonymousId, eventId: `${anonymousId}-e${String(n).padStart(4, '0')}` });

describe('when the collector does not take the events', () => {
  it('keeps the batch in the visitor\'s outbox and answers 200, with the outbox depth', async () => {
    const visitor = `anon-${crypto.randomUUID()}`;
    const res = await callEdge(collectRequest(JSON.stringify({ events: [visitorEvent(visitor, 1)] })), { COLLECTOR_URL: inject('deadCollectorUrl') });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get(OUTBOX_DEPTH_HEADER))).toBeGreaterThanOrEqual(1);
  });

  it(
    'delivers every event accepted while the collector was down for 10 s, once it is back, in order per visitor',
    async () => {
      const collector = stubCollector('down');
      const visitors = Array.from({ length: 5 }, () => `anon-${crypto.randomUUID()}`);
      const sent = new Map(visitors.map((v) => [v, [] as string[]]));
      const downUntil = Date.now() + 10_000;
      // 500 events: 50 batches of 10, each batch one visitor's, spread over the 10 s.
      for (let batch = 0; batch < 50; batch++) {
        const visitor = visitors[batch % visitors.length]!;
        const events = Array.from({ length: 10 }, (_, i) => visitorEvent(visitor, batch * 10 + i));
        sent.get(visitor)!.push(...events.map((e) => e.eventId));
        const res = await callEdge(collectRequest(JSON.stringify({ events })), { COLLECTOR_URL: collector.url });
        expect(res.status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, downUntil - Date.now())));
      await collector.bringUp();

      const total = [...sent.values()].reduce((n, ids) => n + ids.length, 0);
      expect(total).toBe(500);
      const delivered = await eventually(
        async () => relayedEvents(await collector.received()),
        (events) => new Set(events.map((e) => e.eventId)).size >= total,
        60_000,
      );
      for (const [visitor, ids] of sent) {
        // The stub records failed tries too; only the outbox's oldest batch is ever retried, so first arrivals keep the order.
        const arrived = [...new Set(delivered.filter((e) => e.anonymousId === visitor).map((e) => e.eventId))];
        expect(arrived).toEqual(ids);
      }
    },
    120_000,
  );

  it('refuses to relay unsigned when RELAY_HMAC_SECRET is missing, naming it', async () => {
    const collector = stubCollector('ok');
    const res = await callEdge(collectRequest(JSON.stringify({ events: [pageView()] })), { COLLECTOR_URL: collector.url, RELAY_HMAC_SECRET: undefined });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: 'relay_secret_missing', message: expect.stringContaining('RELAY_HMAC_SECRET') });
    expect(await collector.received()).toEqual([]);
  });
});

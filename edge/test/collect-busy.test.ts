/**
 * The collect gate: beyond COLLECT_MAX_IN_FLIGHT requests in the isolate, a
 * batch is turned away at once with 503 `edge_busy` and Retry-After, before
 * its visitor object is touched, so the browser keeps it; a request that
 * finished frees its place.
 */
import { describe, expect, it } from 'vitest';
import { collectsInFlight, BUSY_RETRY_AFTER_S } from '../src/limits/in-flight.js';
import { callEdge, collectRequest, inspectVisitor, stubCollector } from './helpers.js';
import { newVisitor, visitorEvent } from './events.js';

const batchOf = (visitor: string) => JSON.stringify({ events: [visitorEvent(visitor, 'page_view', Date.now())] });

describe('the collect gate', () => {
  it('turns a batch away with 503 edge_busy and Retry-After while the isolate works on its limit, touching no visitor object', async () => {
    const collector = stubCollector('ok');
    const visitor = newVisitor();
    // Two requests the isolate is working on, as far as the gate knows.
    expect(collectsInFlight.enter(2)).toBe(true);
    expect(collectsInFlight.enter(2)).toBe(true);
    try {
      const res = await callEdge(collectRequest(batchOf(visitor)), { COLLECTOR_URL: collector.url, COLLECT_MAX_IN_FLIGHT: '2' });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe(String(BUSY_RETRY_AFTER_S));
      expect(await res.json()).toMatchObject({ error: 'edge_busy', message: expect.stringContaining('COLLECT_MAX_IN_FLIGHT') });
      expect((await inspectVisitor(visitor)).exists).toBe(false);
    } finally {
      collectsInFlight.leave();
      collectsInFlight.leave();
    }
    const res = await callEdge(collectRequest(batchOf(visitor)), { COLLECTOR_URL: collector.url, COLLECT_MAX_IN_FLIGHT: '2' });
    expect(res.status).toBe(200);
  });

  it('frees the place of every request that finished, answered or refused', async () => {
    const collector = stubCollector('ok');
    const before = collectsInFlight.inFlight();
    for (let i = 0; i < 3; i++) {
      const res = await callEdge(collectRequest(batchOf(newVisitor())), { COLLECTOR_URL: collector.url, COLLECT_MAX_IN_FLIGHT: '1' });
      expect(res.status).toBe(200);
    }
    const refused = await callEdge(collectRequest('not json'), { COLLECTOR_URL: collector.url, COLLECT_MAX_IN_FLIGHT: '1' });
    expect(refused.status).toBe(400);
    expect(collectsInFlight.inFlight()).toBe(before);
  });

  it('refuses a limit that is not a positive integer, naming the variable', async () => {
    const res = await callEdge(collectRequest(batchOf(newVisitor())), { COLLECT_MAX_IN_FLIGHT: '0' });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: 'config_invalid', message: expect.stringContaining('COLLECT_MAX_IN_FLIGHT') });
  });
});

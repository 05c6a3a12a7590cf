/**
 * Visits of one visitor side by side (the SDK sends a device's events at once,
 * several requests on their way; two tabs do the same): the object lets one in
 * while another waits on the network, and every batch each of them took must
 * reach the collector, none stored over another.
 */
import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { VisitOutcome } from '../src/visitor/visitor-do.js';
import { newVisitor, visitorEvent } from './events.js';
import { eventually, inspectVisitor, relayedEvents, stubCollector } from './helpers.js';

const objectOf = (visitor: string) => env.VISITOR!.get(env.VISITOR!.idFromName(`demo-site-key:${visitor}`));

describe("a visitor's outbox under visits side by side", () => {
  it('keeps and relays every batch that each of them took', async () => {
    const collector = stubCollector('down');
    const visitor = newVisitor();
    const relay = { siteKey: 'demo-site-key', collectorUrl: collector.url, timeoutMs: 2000 };
    const start = Date.now();
    const events = Array.from({ length: 8 }, (_, i) => visitorEvent(visitor, i === 0 ? 'page_view' : 'click', start + i));
    // One request per event, all at once, on an object that has not read its outbox yet.
    const outcomes = (await Promise.all(
      events.map((event, i) => objectOf(visitor).visit({ anonymousId: visitor, events: [event] as never, receivedAt: start + i, relay })),
    )) as unknown as VisitOutcome[];
    expect(outcomes.map((o) => o.outcome)).toEqual(events.map(() => 'taken'));
    await eventually(collector.received, (relays) => relays.length >= 1, 10_000);
    expect((await inspectVisitor(visitor)).outboxDepth).toBe(events.length);
    await collector.bringUp();
    await runDurableObjectAlarm(objectOf(visitor));
    await eventually(() => inspectVisitor(visitor), (inspection) => inspection.outboxDepth === 0, 20_000);
    const relayed = new Set(relayedEvents(await collector.received()).map((e) => e.eventId));
    expect(events.filter((e) => !relayed.has(e['eventId'] as string)).map((e) => e['eventId'])).toEqual([]);
  });
});

/** Storage whose every call answers in a later microtask, as the object's does: enough for two adds to interleave. */
function microtaskStorage() {
  const values = new Map<string, unknown>();
  const later = <T>(value: T) => Promise.resolve().then(() => value);
  return {
    values,
    get: <T>(key: string) => later(values.get(key) as T | undefined),
    put: (entries: Record<string, unknown>) => later(void Object.entries(entries).forEach(([k, v]) => values.set(k, v))),
    list: ({ prefix }: { prefix: string }) => later(new Map([...values].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1)))),
    delete: (key: string) => later(values.delete(key)),
  };
}

describe('Outbox.reserve, three times in the same turn', () => {
  it('gives each batch a key of its own: two visits resumed by one shared wait stored one batch over the other', async () => {
    const { Outbox } = await import('../src/visitor/outbox.js');
    const storage = microtaskStorage();
    const outbox = new Outbox({
      storage: storage as unknown as DurableObjectStorage,
      secret: () => new Uint8Array(32),
      now: () => Date.now(),
      fetch: () => Promise.reject(new Error('no relay here')),
      wakeAt: async () => {},
    });
    const entry = (n: number) => ({ siteKey: 'demo-site-key', receivedAt: n, events: [{ eventId: `e${n}` }] as never, collectorUrl: 'http://collector.test', timeoutMs: 1000 });
    // The object has just woken: nothing read from storage yet, as at a visitor's first two requests.
    const slots = await Promise.all([outbox.reserve(entry(1)), outbox.reserve(entry(2)), outbox.reserve(entry(3))]);
    for (const slot of slots) await storage.put(slot!.writes);
    const depths = slots.map((slot) => outbox.taken(slot!));
    const stored = [...storage.values].filter(([key]) => key.startsWith('outbox:')).map(([, value]) => (value as { receivedAt: number }).receivedAt);
    expect(stored.sort()).toEqual([1, 2, 3]);
    expect(depths).toEqual([1, 2, 3]);
    expect(storage.values.get('outbox-next')).toBe(3);
  });

  it('numbers past the newest waiting batch when the stored counter is behind it, so no batch is stored over another', async () => {
    const { Outbox } = await import('../src/visitor/outbox.js');
    const storage = microtaskStorage();
    // Two batches stored out of their numbers' order left the counter at the first one's successor.
    await storage.put({ 'outbox:000000000000000': { receivedAt: 1 }, 'outbox:000000000000001': { receivedAt: 2 }, 'outbox-next': 1 });
    const outbox = new Outbox({
      storage: storage as unknown as DurableObjectStorage,
      secret: () => new Uint8Array(32),
      now: () => Date.now(),
      fetch: () => Promise.reject(new Error('no relay here')),
      wakeAt: async () => {},
    });
    const slot = await outbox.reserve({ siteKey: 'demo-site-key', receivedAt: 3, events: [] as never, collectorUrl: 'http://collector.test', timeoutMs: 1000 });
    expect(slot?.key).toBe('outbox:000000000000002');
  });
});

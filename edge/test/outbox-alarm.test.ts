/**
 * Every batch in a visitor's outbox has an alarm behind it, due once its relay
 * had its time: the drain a visit starts lives in the object's memory only, and
 * an object reset while it relays must not leave the batch until the visitor
 * comes back or the object's expiry (half an hour and more away).
 */
import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { VisitOutcome } from '../src/visitor/visitor-do.js';
import { newVisitor, visitorEvent } from './events.js';
import { eventually, inspectVisitor, relayedEvents, stubCollector } from './helpers.js';

const objectOf = (visitor: string) => env.VISITOR!.get(env.VISITOR!.idFromName(`demo-site-key:${visitor}`));
const alarmOf = (visitor: string) => runInDurableObject(objectOf(visitor), (_instance, state) => state.storage.getAlarm());
const RELAY_TIMEOUT_MS = 2000;

async function visit(visitor: string, collectorUrl: string): Promise<void> {
  const receivedAt = Date.now();
  const relay = { siteKey: 'demo-site-key', collectorUrl, timeoutMs: RELAY_TIMEOUT_MS };
  const outcome = (await objectOf(visitor).visit({ anonymousId: visitor, events: [visitorEvent(visitor, 'page_view', receivedAt)] as never, receivedAt, relay })) as unknown as VisitOutcome;
  expect(outcome.outcome).toBe('taken');
}

describe("the alarm behind a visitor's outbox", () => {
  it('is due within the relay timeout and the first retry pause of a batch being taken, not at the expiry', async () => {
    const visitor = newVisitor();
    const before = Date.now();
    await visit(visitor, stubCollector('hang').url);
    const alarm = await alarmOf(visitor);
    const { state } = await inspectVisitor(visitor);
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeLessThanOrEqual(Date.now() + RELAY_TIMEOUT_MS + 1000);
    expect(alarm!).toBeLessThan(state!.expiresAt!);
    expect(alarm!).toBeGreaterThanOrEqual(before);
  });

  it('relays a batch whose drain was lost with the object: the alarm alone takes it to the collector', async () => {
    const collector = stubCollector('down');
    const visitor = newVisitor();
    await visit(visitor, collector.url);
    await eventually(collector.received, (relays) => relays.length >= 1, 10_000);
    expect(await inspectVisitor(visitor)).toMatchObject({ outboxDepth: 1 });
    await collector.bringUp();
    // No visit comes again: only the alarm can send it.
    await runDurableObjectAlarm(objectOf(visitor));
    await eventually(() => inspectVisitor(visitor), (inspection) => inspection.outboxDepth === 0, 10_000);
    expect(relayedEvents(await collector.received()).map((e) => e.anonymousId)).toContain(visitor);
  });
});

/**
 * Visitor objects are bounded: each deletes its storage by alarm once its
 * session is over, its rules' cooldowns have run out and the retention has
 * passed (VISITOR_RETAIN_MS, one minute in these tests), and never while its
 * outbox still holds events for the collector.
 */
import { DEFAULT_SESSION_POLICY, type RulesDocument } from '@sessionflow/core';
import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { expiresAt } from '../src/visitor/expiry.js';
import type { VisitOutcome } from '../src/visitor/visitor-do.js';
import { newVisitor, visitorEvent } from './events.js';
import { eventually, inspectVisitor, relayedEvents, stubCollector } from './helpers.js';
import { TEST_VISITOR_RETAIN_MS } from './shared.js';

const objectOf = (visitor: string) => env.VISITOR!.get(env.VISITOR!.idFromName(`demo-site-key:${visitor}`));

async function visitAt(visitor: string, receivedAt: number, collectorUrl: string): Promise<void> {
  const relay = { siteKey: 'demo-site-key', collectorUrl, timeoutMs: 2000 };
  const outcome = (await objectOf(visitor).visit({ anonymousId: visitor, events: [visitorEvent(visitor, 'page_view', receivedAt)] as never, receivedAt, relay })) as unknown as VisitOutcome;
  expect(outcome.outcome).toBe('taken');
}

const alarmOf = (visitor: string) => runInDurableObject(objectOf(visitor), (_instance, state) => state.storage.getAlarm());

describe('a visitor object\'s bound', () => {
  it('is set by alarm to the session\'s end plus the retention, and the object stays until then', async () => {
    const visitor = newVisitor();
    const now = Date.now();
    await visitAt(visitor, now, stubCollector('ok').url);
    const { state } = await inspectVisitor(visitor);
    expect(state?.expiresAt).toBe(now + DEFAULT_SESSION_POLICY.inactivityGapMs + TEST_VISITOR_RETAIN_MS);
    expect(await alarmOf(visitor)).toBeLessThanOrEqual(state!.expiresAt!);
    // Woken early (as by an outbox retry), it keeps everything and sets the alarm again for its expiry.
    expect(await runDurableObjectAlarm(objectOf(visitor))).toBe(true);
    expect((await inspectVisitor(visitor)).exists).toBe(true);
    expect(await alarmOf(visitor)).toBe(state!.expiresAt);
  });

  it('goes away by alarm once its session is over and the retention has passed', async () => {
    const collector = stubCollector('ok');
    const visitor = newVisitor();
    // A visit whose session ended on the edge's clock longer ago than the retention.
    const longAgo = Date.now() - DEFAULT_SESSION_POLICY.inactivityGapMs - TEST_VISITOR_RETAIN_MS - 60_000;
    await visitAt(visitor, longAgo, collector.url);
    // Its events reach the collector first; then the object deletes everything.
    await eventually(async () => relayedEvents(await collector.received()), (events) => events.length === 1, 10_000);
    await runDurableObjectAlarm(objectOf(visitor));
    await eventually(() => inspectVisitor(visitor), (inspection) => !inspection.exists, 10_000);
    const left = await runInDurableObject(objectOf(visitor), async (_instance, state) => ({ alarm: await state.storage.getAlarm(), keys: [...(await state.storage.list()).keys()] }));
    expect(left).toEqual({ alarm: null, keys: [] });
  });

  it('waits for its outbox: kept while the collector is down, gone once it has the events', async () => {
    const collector = stubCollector('down');
    const visitor = newVisitor();
    const longAgo = Date.now() - DEFAULT_SESSION_POLICY.inactivityGapMs - TEST_VISITOR_RETAIN_MS - 60_000;
    await visitAt(visitor, longAgo, collector.url);
    await eventually(collector.received, (relays) => relays.length >= 1, 10_000);
    await runDurableObjectAlarm(objectOf(visitor));
    // Expired, but its batch has not reached the collector: nothing is deleted, a retry is due (later: not the expiry that has passed, again and again).
    expect(await inspectVisitor(visitor)).toMatchObject({ exists: true, outboxDepth: 1 });
    expect(await alarmOf(visitor)).toBeGreaterThan(Date.now());
    await collector.bringUp();
    await eventually(() => inspectVisitor(visitor), (inspection) => !inspection.exists, 20_000);
    expect(relayedEvents(await collector.received()).map((e) => e.anonymousId)).toContain(visitor);
  }, 30_000);
});

describe('expiresAt', () => {
  const session = (startedAt: number, lastActivityAt: number) =>
    ({ id: 's', startedAt, lastActivityAt, events: 1, interactions: 1, pageViews: 1, clicks: 0, activeMs: 0, productsViewed: [], categoryViews: {}, cart: {}, recentEventIds: [], pageScrolls: [], lastPageUrl: 'https://shop.example/', leaving: false }) as never;
  /** One rule that cools down for an hour, one without a cooldown. */
  const rules: RulesDocument = {
    version: 'bounds-test',
    rules: [
      { id: 'cooling-rule', priority: 1, when: { '>=': [{ var: 'signals.productViews' }, 1] }, actions: [{ kind: 'banner', title: 'Hello' }], cooldownMs: 3_600_000 },
      { id: 'no-cooldown', priority: 1, when: { '>=': [{ var: 'signals.productViews' }, 1] }, actions: [{ kind: 'banner', title: 'Hi' }] },
    ],
  };

  it('counts from the end of the session: the inactivity gap after the last activity', () => {
    expect(expiresAt({ session: session(1_000, 5_000), shown: {} }, rules, 5_000, 7)).toBe(5_000 + DEFAULT_SESSION_POLICY.inactivityGapMs + 7);
  });

  it('or the session\'s maximum length, when that comes first', () => {
    const start = 0;
    const last = DEFAULT_SESSION_POLICY.maxLengthMs - 1_000;
    expect(expiresAt({ session: session(start, last), shown: {} }, rules, last, 7)).toBe(DEFAULT_SESSION_POLICY.maxLengthMs + 7);
  });

  it('waits for a shown rule\'s cooldown to run out', () => {
    const shownAt = 5_000;
    const expected = shownAt + 3_600_000 + 7;
    expect(expiresAt({ session: session(1_000, 5_000), shown: { 'cooling-rule': { count: 1, lastAt: shownAt } } }, rules, 5_000, 7)).toBe(expected);
  });

  it('without a session, counts from now', () => {
    expect(expiresAt({ shown: {} }, rules, 42_000, 7)).toBe(42_007);
  });
});

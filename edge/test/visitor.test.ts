/**
 * The VisitorDO in workerd: sessionization on the edge's clock, decisions
 * from the demo rules and their caps, sticky experiment variants, and the
 * decisions riding in the collect response.
 */
import { assign, validateExperiments, type Decision } from '@sessionflow/core';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { isObviousBot } from '../src/visitor/route-to-visitors.js';
import { DEFAULT_RATE_LIMIT } from '../src/visitor/rate-limit.js';
import type { VisitDecision, VisitOutcome } from '../src/visitor/visitor-do.js';
import { newVisitor, viewClick, visitorEvent } from './events.js';
import { base64ToBytes, callEdge, collectRequest, eventually, stubCollector } from './helpers.js';

// Now: a visitor object deletes its storage a while after its session is over (on the edge's clock), so a test's sessions are current.
const T0 = Date.now();
const MINUTE = 60_000;

const event = (anonymousId: string, type: string, extra: Record<string, unknown> = {}) => visitorEvent(anonymousId, type, T0, extra);
const productClick = (anonymousId: string, id: string, category: string) => viewClick((type, extra) => event(anonymousId, type, extra), id, category);

async function visitOutcome(anonymousId: string, events: Record<string, unknown>[], receivedAt: number, bot = false): Promise<VisitOutcome> {
  const namespace = env.VISITOR!;
  const stub = namespace.get(namespace.idFromName(`demo-site-key:${anonymousId}`));
  const relay = { siteKey: 'demo-site-key', collectorUrl: okCollector().url, timeoutMs: 2000 };
  return (await stub.visit({ anonymousId, events: events as never, receivedAt, bot, relay })) as unknown as VisitOutcome;
}

let collector: ReturnType<typeof stubCollector> | undefined;
const okCollector = () => (collector ??= stubCollector('ok'));

async function visit(anonymousId: string, events: Record<string, unknown>[], receivedAt: number, bot = false): Promise<VisitDecision> {
  const outcome = await visitOutcome(anonymousId, events, receivedAt, bot);
  if (outcome.outcome !== 'taken') throw new Error(`not taken: ${outcome.outcome}`);
  return outcome;
}

const kinds = (actions: Decision[]) => actions.map((action) => `${action.kind}:${action.ruleId}`);

describe('VisitorDO', () => {
  it('shows the category banner once three product views lean to one category, and only once a session', async () => {
    const visitor = newVisitor();
    const first = await visit(visitor, [event(visitor, 'page_view'), productClick(visitor, 'sku-1001', 'lighting'), productClick(visitor, 'sku-1002', 'lighting')], T0);
    expect(kinds(first.actions)).toEqual([]);
    const third = await visit(visitor, [productClick(visitor, 'sku-1003', 'lighting')], T0 + 10_000);
    expect(third.actions).toMatchObject([{ kind: 'banner', slot: 'banner', ruleId: 'category-banner.lighting', href: '/c/lighting' }]);
    const fourth = await visit(visitor, [productClick(visitor, 'sku-1001', 'lighting')], T0 + 20_000);
    expect(kinds(fourth.actions)).toEqual([]);
  });

  it('counts an event sent twice once (the SDK resends what it is not sure was delivered)', async () => {
    const visitor = newVisitor();
    const views = [productClick(visitor, 'sku-1001', 'plants'), productClick(visitor, 'sku-1002', 'plants')];
    await visit(visitor, views, T0);
    const resent = await visit(visitor, views, T0 + 5_000);
    expect(kinds(resent.actions)).toEqual([]);
  });

  it('keeps the session within 30 minutes of quiet and starts a new one after, on the edge clock', async () => {
    const visitor = newVisitor();
    const first = await visit(visitor, [event(visitor, 'page_view')], T0);
    const within = await visit(visitor, [event(visitor, 'page_view')], T0 + 30 * MINUTE);
    const after = await visit(visitor, [event(visitor, 'page_view')], T0 + 61 * MINUTE);
    expect(within.sessionId).toBe(first.sessionId);
    expect(after.sessionId).not.toBe(first.sessionId);
  });

  it('lets the banner show again in the next session (caps count per session)', async () => {
    const visitor = newVisitor();
    const views = (at: number) => [1, 2, 3].map((n) => ({ ...productClick(visitor, `sku-100${n}`, 'kitchen'), timestamp: at }));
    expect(kinds((await visit(visitor, views(T0), T0)).actions)).toEqual(['banner:category-banner.kitchen']);
    expect(kinds((await visit(visitor, views(T0 + 40 * MINUTE), T0 + 40 * MINUTE)).actions)).toEqual(['banner:category-banner.kitchen']);
  });

  it('assigns each experiment by the anonymous id, and an identify never flips the variant', async () => {
    const visitor = newVisitor();
    const parsed = validateExperiments(JSON.parse(env.EXPERIMENTS as string));
    if (!parsed.ok) throw new Error('wrangler.toml EXPERIMENTS must be valid');
    const expected = Object.fromEntries(parsed.value.map((e) => [e.key, assign(e, visitor)?.variant]));
    const before = await visit(visitor, [event(visitor, 'page_view')], T0);
    const after = await visit(visitor, [event(visitor, 'identify', { userId: 'user-42' }), event(visitor, 'page_view', { userId: 'user-42' })], T0 + MINUTE);
    expect(before.variants).toEqual(expected);
    expect(after.variants).toEqual(before.variants);
  });
});

describe('guard rails in the visitor object', () => {
  it('refuses a visitor over its rate limit until the window has passed, taking nothing of the refused batch', async () => {
    const visitor = newVisitor();
    const many = (n: number) => Array.from({ length: n }, () => event(visitor, 'track', { name: 'tick' }));
    expect((await visitOutcome(visitor, many(DEFAULT_RATE_LIMIT.events - 1), T0)).outcome).toBe('taken');
    const refused = await visitOutcome(visitor, many(2), T0 + 10_000);
    expect(refused).toEqual({ outcome: 'limited', retryAfterS: Math.ceil((DEFAULT_RATE_LIMIT.windowMs - 10_000) / 1000) });
    // One more event still fits the window: the refused two were not counted.
    expect((await visitOutcome(visitor, many(1), T0 + 11_000)).outcome).toBe('taken');
    expect((await visitOutcome(visitor, many(2), T0 + DEFAULT_RATE_LIMIT.windowMs)).outcome).toBe('taken');
  });

  it('flags an obvious bot on its session, and still decides and keeps its events', async () => {
    const visitor = newVisitor();
    const first = await visit(visitor, [event(visitor, 'page_view')], T0, true);
    const later = await visit(visitor, [event(visitor, 'page_view')], T0 + 1000);
    expect(first.bot).toBe(true);
    expect(later.bot).toBe(true);
    expect((await visit(newVisitor(), [event(visitor, 'page_view')], T0)).bot).toBe(false);
  });

  it.each([
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', true],
    ['curl/8.5.0', true],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/140.0.0.0 Safari/537.36', true],
    [undefined, true],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15', false],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36', false],
  ])('takes %j for a bot: %s', (userAgent, expected) => {
    expect(isObviousBot(userAgent)).toBe(expected);
  });
});

describe('POST /v1/collect with decisions', () => {
  it('answers 429 with Retry-After, relaying nothing, when the visitor is over its rate limit', async () => {
    const collector = stubCollector('ok');
    const visitor = newVisitor();
    const events = Array.from({ length: DEFAULT_RATE_LIMIT.events + 1 }, () => event(visitor, 'track', { name: 'tick' }));
    const res = await callEdge(collectRequest(JSON.stringify({ events })), { COLLECTOR_URL: collector.url });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await res.json()).toMatchObject({ error: 'rate_limited' });
    expect(await collector.received()).toEqual([]);
  });

  it('answers with the visitor\'s actions', async () => {
    const collector = stubCollector('ok');
    const visitor = newVisitor();
    const events = [1, 2, 3].map((n) => productClick(visitor, `sku-100${n}`, 'textiles'));
    const res = await callEdge(collectRequest(JSON.stringify({ events })), { COLLECTOR_URL: collector.url });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accepted: number; actions: Decision[] };
    expect(body.accepted).toBe(3);
    expect(body.actions).toMatchObject([{ kind: 'banner', ruleId: 'category-banner.textiles', id: 'category-banner.textiles:0' }]);
  });

  it('relays what it decided with the batch it decided for: the session stamped on the events, and its report', async () => {
    const collector = stubCollector('ok');
    const visitor = newVisitor();
    const events = [1, 2, 3].map((n) => productClick(visitor, `sku-200${n}`, 'lighting'));
    const res = await callEdge(collectRequest(JSON.stringify({ events })), { COLLECTOR_URL: collector.url });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { actions: Decision[] };
    expect(body.actions.map((action) => action.id)).toEqual(['category-banner.lighting:0']);
    const relays = await eventually(() => collector.received(), (received) => received.length === 1);
    const envelope = JSON.parse(new TextDecoder().decode(base64ToBytes(relays[0]!.bodyBase64))) as {
      receivedAt: number;
      events: { sessionId: string }[];
      decisions: Record<string, unknown>[];
      edge: { outboxDepth: number; decideMs: number };
    };
    expect(envelope.decisions).toEqual([
      { id: expect.any(String), at: envelope.receivedAt, ruleId: 'category-banner.lighting', actionId: 'category-banner.lighting:0', kind: 'banner', slot: 'banner' },
    ]);
    // A decision's id is its own, not the action's (the same every time the rule fires).
    expect(envelope.decisions[0]!['id']).not.toBe('category-banner.lighting:0');
    expect(new Set(envelope.events.map((e) => e.sessionId)).size).toBe(1);
    expect(envelope.edge.outboxDepth).toBe(1);
    expect(envelope.edge.decideMs).toBeGreaterThanOrEqual(0);
  });

  it('relays a batch that decided nothing without decisions', async () => {
    const collector = stubCollector('ok');
    const visitor = newVisitor();
    const res = await callEdge(collectRequest(JSON.stringify({ events: [event(visitor, 'page_view')] })), { COLLECTOR_URL: collector.url });
    expect(res.status).toBe(200);
    const relays = await eventually(() => collector.received(), (received) => received.length === 1);
    const envelope = JSON.parse(new TextDecoder().decode(base64ToBytes(relays[0]!.bodyBase64))) as Record<string, unknown>;
    expect(envelope['decisions']).toBeUndefined();
    expect(envelope['edge']).toMatchObject({ outboxDepth: 1 });
  });
});

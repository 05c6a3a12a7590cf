/**
 * The visitor object and the collector's read API (served by the Node stub):
 * recommendations with their items, the popularity fallback, offers only for
 * products in stock, the profile asked by the device or the verified user, and decisions
 * that go on when the reads fail. Reads happen after an answer, so each test
 * polls with visits until what was read shows.
 */
import type { RecommendedItem } from '@sessionflow/core';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { EdgeAction, VisitDecision, VisitOutcome } from '../src/visitor/visitor-do.js';
import { newVisitor, similarVisitor, variantOf, viewClick, visitorEvent } from './events.js';
import { eventually, relayedEvents, stubCollector } from './helpers.js';
import { TEST_READ_SECRET } from './shared.js';

const T0 = Date.now();
const event = (anonymousId: string, type: string, extra: Record<string, unknown> = {}) => visitorEvent(anonymousId, type, T0, extra);
const productClick = (anonymousId: string, id: string, category: string) => viewClick((type, extra) => event(anonymousId, type, extra), id, category);
const track = (anonymousId: string, name: string, props: Record<string, unknown> = {}) => event(anonymousId, 'track', { name, props });

/** A visit as the Worker makes it; every identify in `events` counts as verified (the Worker checked its token). */
async function visit(collectorUrl: string, anonymousId: string, events: Record<string, unknown>[]): Promise<VisitDecision> {
  const namespace = env.VISITOR!;
  const stub = namespace.get(namespace.idFromName(`demo-site-key:${anonymousId}`));
  const relay = { siteKey: 'demo-site-key', collectorUrl, timeoutMs: 2000 };
  const identities = events.map((e) => (e['type'] === 'identify' ? { verified: true as const, userId: e['userId'] as string } : undefined));
  const outcome = (await stub.visit({ anonymousId, events: events as never, identities, receivedAt: Date.now(), relay })) as unknown as VisitOutcome;
  if (outcome.outcome !== 'taken') throw new Error(`not taken: ${outcome.outcome}`);
  return outcome;
}

const item = (id: string, category: string, score: number) => ({ id, name: `Product ${id}`, category, href: `/?product=${id}`, price: '$10.00', score });
const SESSION_RECS = { source: 'session', generatedAt: T0, items: [item('sku-1001', 'lighting', 9), item('sku-1004', 'furniture', 8), item('sku-1002', 'lighting', 7), item('sku-1006', 'kitchen', 6)] };
const POPULAR = { source: 'popularity', generatedAt: T0, items: [item('sku-1008', 'plants', 50), item('sku-1007', 'textiles', 40), item('sku-1002', 'lighting', 30), item('sku-1001', 'lighting', 20)] };
const ids = (items: RecommendedItem[] | undefined) => items?.map((i) => i.id);
const recsOf = (actions: EdgeAction[]) => actions.find((action) => action.kind === 'recs');


describe('decisions with the collector\'s reads', () => {
  it('sends recommendations on a product page once read, by the visitor\'s variant, without the page\'s own product', async () => {
    const collector = stubCollector('ok');
    await collector.serveReads({ recs: SESSION_RECS, popular: POPULAR, inventory: { 'sku-1005': true } });
    const visitor = newVisitor();
    const first = await visit(collector.url, visitor, [event(visitor, 'page_view'), productClick(visitor, 'sku-1001', 'lighting')]);
    // Nothing was read yet: the first decision has no items, so no recs action.
    expect(recsOf(first.actions)).toBeUndefined();
    const later = await eventually(
      () => visit(collector.url, visitor, [event(visitor, 'scroll', { depth: 25 })]),
      (decision) => recsOf(decision.actions) !== undefined,
      10_000,
    );
    const recs = recsOf(later.actions)!;
    const variant = variantOf(visitor, 'recs-strategy');
    if (variant === 'popular') {
      expect(recs).toMatchObject({ ruleId: 'product-recs.popular', variant: 'popular' });
      expect(ids(recs.items)).toEqual(['sku-1008', 'sku-1007', 'sku-1002']);
    } else {
      // similar, holdout or outside the experiment: the session-aware list
      expect(recs.ruleId).toBe(variant === 'similar' ? 'product-recs.similar' : 'product-recs.default');
      expect(ids(recs.items)).toEqual(['sku-1004', 'sku-1002', 'sku-1006']);
    }
    expect(recs.items![0]).toEqual({ id: recs.items![0]!.id, name: `Product ${recs.items![0]!.id}`, href: `/?product=${recs.items![0]!.id}`, price: '$10.00' });
    const reads = await collector.reads();
    expect(new Set(reads.map((r) => r.authorization))).toEqual(new Set([`Bearer ${TEST_READ_SECRET}`]));
    expect(reads.find((r) => r.path === '/v1/recs' && r.query['device'] !== undefined)?.query).toMatchObject({ device: visitor, context: 'sku-1001' });
    expect(reads.some((r) => r.query['user'] !== undefined || r.query['visitor'] !== undefined)).toBe(false);
  });

  it('falls back to popularity, the page\'s category first, when the visitor\'s own recommendations cannot be read', async () => {
    const collector = stubCollector('ok');
    await collector.serveReads({ recs: { not: 'a recs answer' }, popular: POPULAR, inventory: {} });
    const visitor = newVisitor();
    await visit(collector.url, visitor, [productClick(visitor, 'sku-1001', 'lighting')]);
    const later = await eventually(
      () => visit(collector.url, visitor, [event(visitor, 'scroll', { depth: 50 })]),
      (decision) => recsOf(decision.actions) !== undefined,
      10_000,
    );
    const expected = variantOf(visitor, 'recs-strategy') === 'popular' ? ['sku-1008', 'sku-1007', 'sku-1002'] : ['sku-1002', 'sku-1008', 'sku-1007'];
    expect(ids(recsOf(later.actions)!.items)).toEqual(expected);
  });

  it('holds session-aware recommendations until they are read for the page, rather than showing popularity first', async () => {
    const collector = stubCollector('ok');
    await collector.serveReads({ recs: SESSION_RECS, popular: POPULAR, inventory: {} });
    // A first visitor makes the isolate read the popularity list.
    const first = similarVisitor();
    await visit(collector.url, first, [productClick(first, 'sku-1001', 'lighting')]);
    await eventually(() => visit(collector.url, first, [event(first, 'scroll', { depth: 25 })]), (d) => recsOf(d.actions) !== undefined, 10_000);
    // A second one, on its first product page: popularity is in hand, its own list is not yet.
    const second = similarVisitor();
    const now = await visit(collector.url, second, [productClick(second, 'sku-1003', 'furniture')]);
    expect(recsOf(now.actions)).toBeUndefined();
    const later = await eventually(() => visit(collector.url, second, [event(second, 'scroll', { depth: 50 })]), (d) => recsOf(d.actions) !== undefined, 10_000);
    // The visitor's own list (limit 4), not popularity's first four.
    expect(ids(recsOf(later.actions)!.items)).toEqual(['sku-1001', 'sku-1004', 'sku-1002', 'sku-1006']);
  });

  it('shows the visitor\'s list from the page before while the new page\'s is read, but not someone else\'s after a login', async () => {
    const collector = stubCollector('ok');
    await collector.serveReads({ recs: SESSION_RECS, popular: POPULAR, inventory: {} });
    const visitor = similarVisitor();
    await visit(collector.url, visitor, [productClick(visitor, 'sku-1003', 'furniture')]);
    await eventually(() => visit(collector.url, visitor, [event(visitor, 'scroll', { depth: 25 })]), (d) => recsOf(d.actions) !== undefined, 10_000);
    // A new product page: its own list is not read yet; the one of the page before stands in, without this page's product.
    const next = await visit(collector.url, visitor, [productClick(visitor, 'sku-1004', 'furniture')]);
    expect(ids(recsOf(next.actions)?.items)).toEqual(['sku-1001', 'sku-1002', 'sku-1006']);
    // Signed in, the visitor is the user: a list read for the anonymous visitor does not stand in.
    const afterLogin = await visit(collector.url, visitor, [event(visitor, 'identify', { userId: 'user-9' }), productClick(visitor, 'sku-1002', 'lighting')]);
    expect(recsOf(afterLogin.actions)).toBeUndefined();
  });

  it('makes the cart-abandonment offer only while its product is in stock', async () => {
    const collector = stubCollector('ok');
    await collector.serveReads({ popular: POPULAR, inventory: { 'sku-1005': false } });
    const visitor = newVisitor();
    await visit(collector.url, visitor, [event(visitor, 'page_view'), track(visitor, 'add_to_cart', { productId: 'sku-1003' })]);
    await eventually(collector.reads, (reads) => reads.some((r) => r.path === '/v1/inventory' && r.query['ids']?.split(',').includes('sku-1005') === true), 10_000);
    const leaving = () => visit(collector.url, visitor, [track(visitor, 'exit_intent')]);
    // The stock read has been answered (out of stock): leaving brings no offer.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await leaving()).actions.some((a) => a.kind === 'offer')).toBe(false);
    // Back in stock: the next stock read lets the offer through.
    await collector.serveReads({ popular: POPULAR, inventory: { 'sku-1005': true } });
    const offered = await eventually(leaving, (d) => d.actions.some((a) => a.kind === 'offer'), 15_000);
    expect(offered.actions.find((a) => a.kind === 'offer')).toMatchObject({ ruleId: 'cart-abandonment-offer', productId: 'sku-1005', slot: 'offer' });
  }, 30_000);

  it('asks for the device\'s profile and recommendations, and the user\'s once the visitor verified who it is', async () => {
    const collector = stubCollector('ok');
    await collector.serveReads({ popular: POPULAR, inventory: {} });
    const visitor = newVisitor();
    await visit(collector.url, visitor, [event(visitor, 'page_view')]);
    await eventually(collector.reads, (reads) => reads.some((r) => r.path === `/v1/profile/device/${visitor}`), 10_000);
    await eventually(
      async () => {
        await visit(collector.url, visitor, [event(visitor, 'identify', { userId: 'user-7' })]);
        return collector.reads();
      },
      (reads) => reads.some((r) => r.path === '/v1/profile/user/user-7') && reads.some((r) => r.path === '/v1/recs' && r.query['user'] === 'user-7'),
      10_000,
    );
  });

  it('decides on the session alone when the profile and recommendations service is down', async () => {
    const collector = stubCollector('ok');
    await collector.serveReads({ status: 503 });
    const visitor = newVisitor();
    const views = [1, 2, 3].map((n) => productClick(visitor, `sku-100${n}`, 'lighting'));
    const first = await visit(collector.url, visitor, views);
    expect(first.actions.map((a) => a.ruleId)).toEqual(['category-banner.lighting']);
    await eventually(collector.reads, (reads) => reads.some((r) => r.path.startsWith('/v1/profile/')), 10_000);
    const second = await visit(collector.url, visitor, [productClick(visitor, 'sku-1002', 'lighting')]);
    // Recommendations with nothing to show are left out; the events were still taken and relayed.
    expect(second.actions).toEqual([]);
    const relayed = await eventually(async () => relayedEvents(await collector.received()), (events) => events.length === 4, 10_000);
    expect(relayed.slice(0, 3).map((e) => e.eventId)).toEqual(views.map((e) => e.eventId));
  });
});

describe('the session id on what is relayed', () => {
  it('takes the SDK\'s session id for a new session, and stamps the edge\'s when the edge has cut the session', async () => {
    const collector = stubCollector('ok');
    const visitor = newVisitor();
    const first = await visit(collector.url, visitor, [event(visitor, 'page_view', { sessionId: 'sess-sdk-1' })]);
    expect(first.sessionId).toBe('sess-sdk-1');
    const namespace = env.VISITOR!;
    const stub = namespace.get(namespace.idFromName(`demo-site-key:${visitor}`));
    const relay = { siteKey: 'demo-site-key', collectorUrl: collector.url, timeoutMs: 2000 };
    // An hour later on the edge's clock the SDK still says sess-sdk-1 (its clock was off): the edge starts a session of its own.
    const late = (await stub.visit({ anonymousId: visitor, events: [event(visitor, 'page_view', { sessionId: 'sess-sdk-1' })] as never, receivedAt: Date.now() + 3_600_000, relay })) as unknown as VisitDecision;
    expect(late.sessionId).not.toBe('sess-sdk-1');
    const relayed = await eventually(async () => relayedEvents(await collector.received()) as { sessionId?: string }[], (events) => events.length === 2, 10_000);
    expect(relayed.map((e) => e.sessionId)).toEqual(['sess-sdk-1', late.sessionId]);
  });
});

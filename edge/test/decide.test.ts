/**
 * GET /v1/decide: only the site's server may ask (its server secret), and
 * asking changes nothing in the visitor's object unless the server says it
 * rendered the actions (`rendered=1`).
 */
import { env } from 'cloudflare:workers';
import type { Decision } from '@sessionflow/core';
import { describe, expect, it } from 'vitest';
import type { VisitOutcome } from '../src/visitor/visitor-do.js';
import { newVisitor, similarVisitor, viewClick, visitorEvent } from './events.js';
import { callEdge, collectRequest, decideRequest, eventually, IDENTITY_SECRET, inspectVisitor, serverAuth, stubCollector } from './helpers.js';
import { TEST_ADMIN_SECRET } from './shared.js';

const page = encodeURIComponent('http://localhost:8080/?category=lighting');
const query = (visitor: string, extra = '') => `site=demo-site-key&visitor=${visitor}&url=${page}${extra}`;

interface DecideAnswer {
  sessionId?: string;
  variants: Record<string, string>;
  actions: Decision[];
}

async function visitNow(visitor: string, collectorUrl: string) {
  const stub = env.VISITOR!.get(env.VISITOR!.idFromName(`demo-site-key:${visitor}`));
  const relay = { siteKey: 'demo-site-key', collectorUrl, timeoutMs: 2000 };
  const outcome = (await stub.visit({ anonymousId: visitor, events: [visitorEvent(visitor, 'page_view', Date.now())] as never, receivedAt: Date.now(), relay })) as unknown as VisitOutcome;
  if (outcome.outcome !== 'taken') throw new Error(`not taken: ${outcome.outcome}`);
  return outcome;
}

describe('GET /v1/decide', () => {
  it.each([
    ['no Authorization', {}],
    ['a wrong secret', serverAuth('a-wrong-secret-that-is-long-enough-to-be-one')],
    ['the site\'s identity secret', serverAuth(IDENTITY_SECRET)],
    ['the admin secret', serverAuth(TEST_ADMIN_SECRET)],
    ['a browser\'s Origin alone', { origin: 'http://localhost:8080' }],
  ])('refuses %s with 401, creating nothing', async (_name, headers) => {
    const visitor = newVisitor();
    const res = await callEdge(decideRequest(query(visitor, '&rendered=1'), headers));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'unauthorized' });
    expect((await inspectVisitor(visitor)).exists).toBe(false);
  });

  it('answers with the visitor\'s open session and sticky variants, extending nothing', async () => {
    const visitor = newVisitor();
    const visited = await visitNow(visitor, stubCollector('ok').url);
    const res = await callEdge(decideRequest(query(visitor)));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sessionId: visited.sessionId, variants: visited.variants, actions: [] });
  });

  it('decides for a visitor it has not seen, without a session, and keeps nothing', async () => {
    const visitor = newVisitor();
    const res = await callEdge(decideRequest(query(visitor)));
    expect(res.status).toBe(200);
    const body = await res.json<DecideAnswer>();
    expect(body.sessionId).toBeUndefined();
    expect(Object.keys(body.variants)).toEqual(['recs-strategy']);
    expect(await inspectVisitor(visitor)).toEqual({ exists: false, state: null, outboxDepth: 0 });
  });

  it('keeps the variants of a visitor it has not seen once the server rendered the page', async () => {
    const visitor = newVisitor();
    const res = await callEdge(decideRequest(query(visitor, '&rendered=1')));
    const body = await res.json<DecideAnswer>();
    const { exists, state } = await inspectVisitor(visitor);
    expect(exists).toBe(true);
    expect(Object.values(state?.assignments ?? {})).toEqual([body.variants['recs-strategy']]);
  });

  it('counts what it decided as shown only with rendered=1', async () => {
    const collector = stubCollector('ok');
    const item = (id: string) => ({ id, name: `Product ${id}`, category: 'lighting', score: 1 });
    await collector.serveReads({ recs: { source: 'session', generatedAt: Date.now(), items: [item('sku-1002'), item('sku-1003')] }, popular: { source: 'popularity', generatedAt: Date.now(), items: [item('sku-1004')] }, inventory: {} });
    const visitor = similarVisitor();
    const click = viewClick((type, extra) => visitorEvent(visitor, type, Date.now(), extra), 'sku-1001', 'lighting');
    expect((await callEdge(collectRequest(JSON.stringify({ events: [click] })), { COLLECTOR_URL: collector.url })).status).toBe(200);
    const decideAt = (extra: string) => callEdge(decideRequest(query(visitor, extra)), { COLLECTOR_URL: collector.url }).then((r) => r.json<DecideAnswer>());
    // Once the object has read the visitor's recommendations, a decision for the product page has a recs action.
    const preview = await eventually(() => decideAt(''), (d) => d.actions.some((a) => a.kind === 'recs'), 10_000);
    const before = await inspectVisitor(visitor);
    expect(before.state?.shown).toEqual({});

    const again = await decideAt('&rendered=0');
    expect(again.actions).toEqual(preview.actions);
    expect(await inspectVisitor(visitor)).toEqual(before);

    const rendered = await decideAt('&rendered=1');
    const ruleId = rendered.actions.find((a) => a.kind === 'recs')!.ruleId;
    const after = await inspectVisitor(visitor);
    expect(after.state?.shown[ruleId]).toMatchObject({ count: 1 });
  }, 30_000);

  it.each([
    ['no visitor', 'site=demo-site-key&url=https%3A%2F%2Fshop.example%2F', 400, 'visitor'],
    ['a visitor id with spaces', 'site=demo-site-key&visitor=has%20spaces%20in&url=https%3A%2F%2Fshop.example%2F', 400, 'visitor'],
    ['no url', 'site=demo-site-key&visitor=anon-12345678', 400, 'url'],
    ['a relative url', 'site=demo-site-key&visitor=anon-12345678&url=%2Fcart', 400, 'url'],
    ['rendered=yes', 'site=demo-site-key&visitor=anon-12345678&url=https%3A%2F%2Fshop.example%2F&rendered=yes', 400, 'rendered'],
    ['an unknown site', 'site=nope&visitor=anon-12345678&url=https%3A%2F%2Fshop.example%2F', 401, 'nope'],
  ])('refuses %s, naming it', async (_name, q, status, named) => {
    const res = await callEdge(decideRequest(q));
    expect(res.status).toBe(status);
    expect(((await res.json()) as { message: string }).message).toContain(named);
  });
});

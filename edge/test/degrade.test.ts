/**
 * Degrading on purpose, through the Worker with a stub collector: the
 * outboxes fill while the collector answers 503 and the edge goes to
 * popularity recommendations, then to no actions at all, taking and keeping
 * every event; it comes back by itself once the collector takes again. The
 * central parts' level (the collector's /v1/degradation) is honoured, failing
 * reads stop the profile reads, every answer and every relayed batch says its
 * level, /metrics shows it, and a malformed policy is refused naming its path.
 */
import { DEMO_RULES, LEVELS, levelRank, type Level, type RecommendedItem } from '@sessionflow/core';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import type { CollectResponse } from '../src/collect/route.js';
import { DEFAULT_EDGE_DEGRADE_POLICY } from '../src/degrade/policy.js';
import type { EdgeBindings } from '../src/env.js';
import { RULES_KEY } from '../src/rules/store.js';
import { newVisitor, similarVisitor, viewClick, visitorEvent } from './events.js';
import { adminRequest, base64ToBytes, callEdge, collectRequest, decideRequest, eventually, inspectVisitor, stubCollector } from './helpers.js';
import { TEST_READ_SECRET, type RecordedRelay } from './shared.js';

const T0 = Date.now();
const item = (id: string, category: string, score: number) => ({ id, name: `Product ${id}`, category, href: `/?product=${id}`, price: '$10.00', score });
const SESSION_RECS = { source: 'session', generatedAt: T0, items: [item('sku-1001', 'lighting', 9), item('sku-1004', 'furniture', 8), item('sku-1002', 'lighting', 7), item('sku-1006', 'kitchen', 6)] };
const POPULAR = { source: 'popularity', generatedAt: T0, items: [item('sku-1008', 'plants', 50), item('sku-1007', 'textiles', 40), item('sku-1002', 'lighting', 30), item('sku-1001', 'lighting', 20)] };
/** On the page of sku-1001 (lighting): the visitor's own list without the page's product … */
const SESSION_ITEMS = ['sku-1004', 'sku-1002', 'sku-1006'];
/** … and popularity, the page's category first, without it. */
const POPULAR_ITEMS = ['sku-1002', 'sku-1008', 'sku-1007'];

const ALL_FULL = { level: 'full', parts: { collector: { level: 'full' }, pipeline: { level: 'full', lagS: 0.2, at: T0 } } };
const PIPELINE_BEHIND = { level: 'live_only', parts: { collector: { level: 'full' }, pipeline: { level: 'live_only', reason: 'lag_s', lagS: 45, at: T0 } } };

interface Answer {
  level: string | null;
  reason: string | null;
  outboxDepth: number;
  body: CollectResponse;
  eventIds: string[];
  /** The headers a browser's script may read (CORS). */
  exposed: string[];
}

const recsItems = (answer: Answer): string[] | undefined => answer.body.actions.find((a) => a.kind === 'recs')?.items?.map((i: RecommendedItem) => i.id);

/** One collect of `events` as the SDK posts it; it must be taken (200). */
async function collect(bindings: Partial<EdgeBindings>, events: Record<string, unknown>[]): Promise<Answer> {
  const res = await callEdge(collectRequest(JSON.stringify({ events })), bindings);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`collect answered ${res.status}: ${text}`);
  return {
    level: res.headers.get('x-sf-level'),
    reason: res.headers.get('x-sf-level-reason'),
    outboxDepth: Number(res.headers.get('x-sf-outbox-depth')),
    body: JSON.parse(text) as CollectResponse,
    eventIds: events.map((e) => e['eventId'] as string),
    exposed: (res.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/,\s*/),
  };
}

/** A visitor of the storefront: on a product page, then scrolling on it. */
function shopper(visitor: string) {
  const event = (type: string, extra: Record<string, unknown> = {}) => visitorEvent(visitor, type, Date.now(), extra);
  return {
    views: (id: string, category: string) => [viewClick(event, id, category)],
    scrolls: () => [event('scroll', { depth: 50 })],
  };
}

interface RelayedEnvelope {
  events: { eventId: string }[];
  edge?: { outboxDepth: number; decideMs: number; level?: Level };
}

const envelopesOf = (relays: RecordedRelay[]): RelayedEnvelope[] => relays.map((relay) => JSON.parse(new TextDecoder().decode(base64ToBytes(relay.bodyBase64))) as RelayedEnvelope);

/** `/metrics` as lines of `name{labels} value`, without the comments. */
async function metrics(bindings: Partial<EdgeBindings>): Promise<Map<string, number>> {
  const res = await callEdge(new Request('http://edge.test/metrics', { headers: adminRequest('/').headers }), bindings);
  expect(res.status).toBe(200);
  const lines = (await res.text()).split('\n').filter((line) => line !== '' && !line.startsWith('#'));
  return new Map(lines.map((line) => [line.slice(0, line.lastIndexOf(' ')), Number(line.slice(line.lastIndexOf(' ') + 1))]));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('when the collector cannot take the events', () => {
  it(
    'goes to popularity recommendations, then to no actions, keeping every event, and comes back by itself once it takes them again',
    async () => {
      const collector = stubCollector('ok');
      await collector.serveReads({ recs: SESSION_RECS, popular: POPULAR, inventory: {} });
      // The default thresholds, with a short calm period so the recovery fits a test.
      const bindings = { COLLECTOR_URL: collector.url, SF_EDGE_DEGRADE_POLICY: JSON.stringify({ ...DEFAULT_EDGE_DEGRADE_POLICY, recoverAfterMs: 300 }) };
      const visitor = similarVisitor();
      const { views, scrolls } = shopper(visitor);
      const answers: Answer[] = [await collect(bindings, views('sku-1001', 'lighting'))];

      // Everything well: the visitor's own recommendations, at full.
      answers.push(await eventually(() => collect(bindings, scrolls()), (a) => recsItems(a) !== undefined, 10_000));
      const healthy = answers.at(-1)!;
      expect(recsItems(healthy)).toEqual(SESSION_ITEMS);
      expect([healthy.level, healthy.reason]).toEqual(['full', null]);
      expect(healthy.exposed).toEqual(expect.arrayContaining(['retry-after', 'x-sf-level', 'x-sf-level-reason']));

      // The collector answers 503: the visitor's outbox fills, batch by batch.
      await collector.makeBusy();
      const busy: Answer[] = [];
      while (busy.length < 40 && busy.at(-1)?.level !== 'data_only') busy.push(await collect(bindings, scrolls()));
      answers.push(...busy);
      const depths = busy.map((a) => a.outboxDepth);
      expect(depths).toEqual(depths.map((_, i) => depths[0]! + i)); // nothing left the outbox, nothing refused
      // Each answer is at the level of the deepest outbox seen before it: full below 10, popularity from 10, data only from 20.
      busy.forEach((answer, i) => {
        const deepestBefore = i === 0 ? 1 : busy[i - 1]!.outboxDepth;
        const expected = deepestBefore >= 20 ? 'data_only' : deepestBefore >= 10 ? 'popularity' : 'full';
        expect({ i, level: answer.level }).toEqual({ i, level: expected });
        expect(answer.body.accepted).toBe(1);
        if (expected === 'full') expect(recsItems(answer)).toEqual(SESSION_ITEMS);
        if (expected === 'popularity') expect({ reason: answer.reason, items: recsItems(answer) }).toEqual({ reason: 'outbox_depth', items: POPULAR_ITEMS });
        if (expected === 'data_only') expect({ reason: answer.reason, actions: answer.body.actions }).toEqual({ reason: 'outbox_depth', actions: [] });
      });
      expect(busy.map((a) => a.level)).toContain('popularity');
      expect(busy.at(-1)!.level).toBe('data_only');
      const degraded = await metrics(bindings);
      expect(degraded.get('sessionflow_edge_degradation_level{level="data_only"}')).toBe(1);
      expect(degraded.get('sessionflow_edge_degradation_signal{signal="outbox_depth"}')).toBeGreaterThanOrEqual(20);

      // The collector takes again: the outbox drains, the signal calms, and the level comes back a step at a time.
      await collector.bringUp();
      const recovery: Answer[] = [];
      const recovered = await eventually(
        async () => {
          await pause(100);
          const answer = await collect(bindings, scrolls());
          recovery.push(answer);
          return answer;
        },
        (a) => a.level === 'full',
        30_000,
      );
      answers.push(...recovery);
      const ranks = recovery.map((a) => levelRank(a.level as Level));
      expect(ranks).toEqual([...ranks].sort((a, b) => b - a)); // never worse again on the way up: no flapping
      expect(recovered.reason).toBeNull();
      const again = await eventually(() => collect(bindings, scrolls()), (a) => recsItems(a) !== undefined, 10_000);
      answers.push(again);
      expect(recsItems(again)).toEqual(SESSION_ITEMS);
      const after = await metrics(bindings);
      const changes = LEVELS.flatMap((from) => LEVELS.map((to) => [`${from}>${to}`, after.get(`sessionflow_edge_degradation_changes_total{from="${from}",to="${to}"}`)] as const)).filter(([, n]) => n !== undefined);
      expect(Object.fromEntries(changes)).toEqual({
        'full>popularity': 1,
        'popularity>data_only': 1,
        'data_only>live_only': 1,
        'live_only>popularity': 1,
        'popularity>full': 1,
      });
      expect(after.get('sessionflow_edge_degradation_level{level="full"}')).toBe(1);

      // Nothing lost: every event taken reached the collector, and each batch said the level its page got.
      expect((await eventually(() => inspectVisitor(visitor), (v) => v.outboxDepth === 0, 20_000)).outboxDepth).toBe(0);
      const relayed = envelopesOf(await collector.received());
      const levelOf = new Map(answers.flatMap((a) => a.eventIds.map((id) => [id, a.level] as const)));
      const delivered = new Set(relayed.flatMap((envelope) => envelope.events.map((e) => e.eventId)));
      expect([...levelOf.keys()].filter((id) => !delivered.has(id))).toEqual([]);
      for (const envelope of relayed) {
        for (const event of envelope.events) expect({ event: event.eventId, level: envelope.edge?.level }).toEqual({ event: event.eventId, level: levelOf.get(event.eventId) });
      }
    },
    90_000,
  );
});

describe('the central parts\' level', () => {
  /** The demo rules, and one that greets a visitor its profile says came before. */
  const rules = {
    version: 'degrade-test-1',
    rules: [{ id: 'welcome-back', priority: 50, when: { '>=': [{ var: 'profile.sessions' }, 2] }, actions: [{ kind: 'banner', slot: 'banner', title: 'Welcome back' }] }, ...DEMO_RULES.rules],
  };
  const greeted = (answer: { body: { actions: { ruleId: string }[] } }) => answer.body.actions.some((a) => a.ruleId === 'welcome-back');
  afterEach(async () => env.RULES!.delete(RULES_KEY));

  it('is honoured: at live_only from the pipeline, no profile is read or used and popularity fills the recommendations, until it is back at full', async () => {
    await env.RULES!.put(RULES_KEY, JSON.stringify(rules));
    const collector = stubCollector('ok');
    const visitor = similarVisitor();
    const profile = { kind: 'device', id: visitor, anonymousIds: [visitor], sessions: 3, affinities: {}, recentlyViewed: [], purchased: [], updatedAt: T0 };
    const reads = { profiles: { [`device:${visitor}`]: profile }, recs: SESSION_RECS, popular: POPULAR, inventory: {} };
    await collector.serveReads({ ...reads, degradation: ALL_FULL });
    const bindings = { COLLECTOR_URL: collector.url };
    const { views, scrolls } = shopper(visitor);
    await collect(bindings, views('sku-1001', 'lighting'));
    const full = await eventually(() => collect(bindings, scrolls()), (a) => greeted(a) && recsItems(a) !== undefined, 10_000);
    expect([full.level, recsItems(full)]).toEqual(['full', SESSION_ITEMS]);

    // The pipeline is far behind: the collector says live_only.
    await collector.serveReads({ ...reads, degradation: PIPELINE_BEHIND });
    const behind = await eventually(() => collect(bindings, scrolls()), (a) => a.level !== 'full', 10_000);
    expect([behind.level, behind.reason]).toEqual(['live_only', 'upstream:pipeline']);
    // The profile read a moment ago is still fresh, and not used; popularity stands in for the visitor's own list.
    expect(greeted(behind)).toBe(false);
    expect(recsItems(behind)).toEqual(POPULAR_ITEMS);
    const decided = await callEdge(decideRequest(`site=demo-site-key&visitor=${visitor}&url=${encodeURIComponent('http://localhost:8080/?category=lighting')}`), bindings);
    expect(decided.headers.get('x-sf-level')).toBe('live_only');

    // Longer than a profile is kept before it is read again (1 s): at live_only it is not.
    await pause(300);
    const personalReads = async () => (await collector.reads()).filter((r) => r.path.startsWith('/v1/profile/') || (r.path === '/v1/recs' && r.query['device'] !== undefined)).length;
    const before = await personalReads();
    for (let i = 0; i < 3; i++) {
      await pause(700);
      const answer = await collect(bindings, scrolls());
      expect([answer.level, greeted(answer)]).toEqual(['live_only', false]);
    }
    expect(await personalReads()).toBe(before);

    // Caught up: back to full at the next poll, the profile read and used again.
    await collector.serveReads({ ...reads, degradation: ALL_FULL });
    const back = await eventually(() => collect(bindings, scrolls()), (a) => a.level === 'full' && greeted(a), 15_000);
    expect(back.reason).toBeNull();
    await eventually(personalReads, (n) => n > before, 10_000);
    const polls = (await collector.reads()).filter((r) => r.path === '/v1/degradation');
    expect(new Set(polls.map((r) => r.authorization))).toEqual(new Set([`Bearer ${TEST_READ_SECRET}`]));
  }, 40_000);
});

describe('when the collector\'s reads fail', () => {
  it('goes to live_only: a new visitor\'s profile and own recommendations are not asked for', async () => {
    const collector = stubCollector('ok');
    await collector.serveReads({ status: 503 });
    const bindings = { COLLECTOR_URL: collector.url };
    // Eight visitors' reads fail (profile, recs, stock each, popularity once): more than the 20 the share needs.
    for (let i = 0; i < 8; i++) {
      const visitor = newVisitor();
      await collect(bindings, shopper(visitor).views('sku-1001', 'lighting'));
    }
    // A visitor arriving once the failures are counted (each try a new one: at full its profile would be read).
    const { late, answer } = await eventually(
      async () => {
        const visitor = newVisitor();
        return { late: visitor, answer: await collect(bindings, shopper(visitor).views('sku-1002', 'lighting')) };
      },
      ({ answer: a }) => a.level !== 'full',
      10_000,
    );
    expect([answer.level, answer.reason]).toEqual(['live_only', 'read_failure_share']);
    await pause(300);
    const asked = (await collector.reads()).filter((r) => r.path === `/v1/profile/device/${late}` || r.query['device'] === late);
    expect(asked).toEqual([]);
    const shown = await metrics(bindings);
    expect(shown.get('sessionflow_edge_degradation_signal{signal="read_failure_share"}')).toBe(1);
    expect(shown.get('sessionflow_edge_degradation_reason{reason="read_failure_share"}')).toBe(1);
  });
});

describe('when the collector\'s reads are slow', () => {
  it('goes to live_only, named by read_p99_ms', async () => {
    const collector = stubCollector('ok');
    // Slow but within READ_TIMEOUT_MS (1 s): answers, late.
    await collector.serveReads({ popular: POPULAR, inventory: {}, delayMs: 600 });
    const bindings = { COLLECTOR_URL: collector.url };
    for (let i = 0; i < 8; i++) await collect(bindings, shopper(newVisitor()).views('sku-1001', 'lighting'));
    const answer = await eventually(() => collect(bindings, shopper(newVisitor()).views('sku-1002', 'lighting')), (a) => a.level !== 'full', 10_000);
    expect([answer.level, answer.reason]).toEqual(['live_only', 'read_p99_ms']);
    const shown = await metrics(bindings);
    expect(shown.get('sessionflow_edge_degradation_signal{signal="read_p99_ms"}')).toBeGreaterThanOrEqual(500);
    expect(shown.get('sessionflow_edge_degradation_signal{signal="read_failure_share"}')).toBe(0);
  });
});

describe('GET /metrics', () => {
  it('answers Prometheus text to the admin bearer only', async () => {
    const collector = stubCollector('ok');
    const bindings = { COLLECTOR_URL: collector.url };
    const ask = (authorization: string | null) => {
      const headers = authorization === null ? undefined : { authorization };
      return callEdge(new Request('http://edge.test/metrics', { headers }), bindings);
    };
    expect((await ask(null)).status).toBe(401);
    expect((await ask(`Bearer ${TEST_READ_SECRET}`)).status).toBe(403);
    const res = await ask(adminRequest('/').headers.get('authorization'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('sessionflow_edge_degradation_level{level="full"} 1');
    expect(text).toContain('# TYPE sessionflow_edge_degradation_changes_total counter');
  });
});

describe('a malformed SF_EDGE_DEGRADE_POLICY', () => {
  it.each([
    ['{"triggers":[{"signal":"outbox_depth","level":"data_only","enter":5,"exit":10}],"recoverAfterMs":1000}', 'SF_EDGE_DEGRADE_POLICY.triggers.0: '],
    ['{"triggers":[{"signal":"outbox_dept","level":"data_only","enter":20,"exit":5}],"recoverAfterMs":1000}', 'SF_EDGE_DEGRADE_POLICY.triggers.0.signal: '],
    ['{"triggers":[],"recoverAfterMs":"10s"}', 'SF_EDGE_DEGRADE_POLICY.recoverAfterMs: '],
    ['{"triggers":', 'SF_EDGE_DEGRADE_POLICY: is not valid JSON'],
  ])('%s is refused at the first request, naming %s', async (policy, named) => {
    const collector = stubCollector('ok');
    const visitor = newVisitor();
    for (const request of [collectRequest(JSON.stringify({ events: shopper(visitor).scrolls() })), new Request('http://edge.test/healthz')]) {
      const res = await callEdge(request, { COLLECTOR_URL: collector.url, SF_EDGE_DEGRADE_POLICY: policy });
      expect(res.status).toBe(500);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.error).toBe('config_invalid');
      expect(body.message.startsWith(named)).toBe(true);
    }
    expect(await collector.received()).toEqual([]);
  });
});

/**
 * Degrading on purpose, on real parts (workerd, the collector, the pipeline,
 * Kafka, Redis), with small thresholds so it fits a test:
 * - the pipeline stalls (SIGSTOP) while events keep coming: its report goes
 *   silent, then says it is behind, and the edge decides at `popularity` (a
 *   new visitor's product page gets popular products at once, where at `full`
 *   it waits for its own list); once it has caught up, everything is `full`
 *   again by itself;
 * - the collector stalls: the visitors' outboxes fill past the edge's
 *   threshold and the edge decides nothing (`data_only`: no actions) while it
 *   still takes every event; once the collector is back the outboxes drain and
 *   the edge comes back to `full` by itself;
 * - and every event the edge took is in `sf.events` and counted exactly once
 *   by the pipeline.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SCHEMA_VERSION, type Level } from '@sessionflow/core';
import { auditLoop } from '@sessionflow/infra';
import { anonymousIdIn, localExperiment } from './support/experiments.js';
import { startTestStack, type TestStack } from './support/stack.js';

let stack: TestStack;
let failed = false;
/** Every event id the edge answered 200 for. */
const accepted = new Set<string>();

const EDGE_POLICY = { triggers: [{ signal: 'outbox_depth', level: 'data_only', enter: 5, exit: 2 }], recoverAfterMs: 2_000 };
const PIPELINE_POLICY = { triggers: [{ signal: 'lag_s', level: 'popularity', enter: 3, exit: 1 }], recoverAfterMs: 2_000 };

beforeAll(async () => {
  // The storefront feeds the catalog, which recommendations are made of.
  stack = await startTestStack(['demo-site', 'pipeline'], {
    partEnv: {
      edge: { SF_EDGE_DEGRADE_POLICY: JSON.stringify(EDGE_POLICY), RELAY_TIMEOUT_MS: '1000' },
      pipeline: { PIPELINE_DEGRADE_POLICY: JSON.stringify(PIPELINE_POLICY) },
    },
  });
});

afterAll(async () => {
  await stack?.close(failed);
});

interface Answer {
  status: number;
  level: string | null;
  reason: string | null;
  actions: { kind: string; items?: unknown[] }[];
}

/** A click on a product card, on its product page: what the storefront counts as a product view. */
function productView(anonymousId: string, productId: string, category: string) {
  return {
    schemaVersion: SCHEMA_VERSION,
    type: 'click',
    eventId: randomUUID(),
    anonymousId,
    sessionId: `s-${anonymousId}`,
    timestamp: Date.now(),
    page: { url: `${stack.siteOrigin}/p/${productId}`, referrer: '', title: 'Product', pageViewId: randomUUID() },
    element: { tag: 'button', text: 'View' },
    product: { id: productId, category },
  };
}

async function collect(events: ReturnType<typeof productView>[]): Promise<Answer> {
  const res = await fetch(`${stack.edgeUrl}/v1/collect?site=${stack.siteKey}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: stack.siteOrigin! },
    body: JSON.stringify({ events }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await res.json()) as { actions?: Answer['actions'] };
  if (res.status === 200) events.forEach((e) => accepted.add(e.eventId));
  return { status: res.status, level: res.headers.get('x-sf-level'), reason: res.headers.get('x-sf-level-reason'), actions: body.actions ?? [] };
}

const recsExperiment = () => localExperiment('recs-strategy');
/** A new visitor whose recommendations are its own list (not popularity by its variant), on its first product page. */
const newVisitorOnProduct = () => collect([productView(anonymousIdIn(recsExperiment(), 'similar'), 'sku-1001', 'lighting')]);

/** Views by earlier shoppers, so popularity has something to offer. */
async function someHistory(): Promise<void> {
  for (const [id, category] of [['sku-1002', 'lighting'], ['sku-1004', 'furniture'], ['sku-1006', 'kitchen']] as const) {
    const visitor = randomUUID();
    expect((await collect([productView(visitor, id, category)])).status).toBe(200);
  }
}

/** The popular products the collector serves (what the edge falls back to). */
async function popularCount(): Promise<number> {
  const res = await fetch(`${stack.collectorUrl}/v1/recs?n=24`, { headers: { authorization: `Bearer ${stack.readSecret}` } });
  if (res.status !== 200) return 0;
  return ((await res.json()) as { items?: unknown[] }).items?.length ?? 0;
}

async function degradationOf(): Promise<{ level: Level; parts: Record<string, { level: Level; reason?: string } | null> }> {
  const res = await fetch(`${stack.collectorUrl}/v1/degradation`, { headers: { authorization: `Bearer ${stack.readSecret}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Awaited<ReturnType<typeof degradationOf>>;
}

/** A new visitor's first product page, polled until it is decided at `want` (and `also` holds). */
async function untilNewVisitorsAt(want: Level, timeout: number, also: (answer: Answer) => boolean = () => true): Promise<Answer> {
  let last: Answer | undefined;
  await expect
    .poll(
      async () => {
        last = await newVisitorOnProduct();
        return last.level === want && also(last) ? want : `${last.level} ${JSON.stringify(last.actions.map((a) => a.kind))}`;
      },
      { timeout, interval: 500 },
    )
    .toBe(want);
  return last!;
}

const recsItemsOf = (answer: Answer): number => answer.actions.find((a) => a.kind === 'recs')?.items?.length ?? 0;

test('a stalled pipeline puts the edge at popularity (popular products at once), and it comes back to full by itself', async (ctx) => {
  ctx.onTestFailed(() => void (failed = true));
  await someHistory();
  await expect.poll(popularCount, { timeout: 30_000, interval: 500 }).toBeGreaterThan(0);
  // Healthy: a new visitor's first product page waits for its own list (no recs yet), at full.
  await expect.poll(async () => (await degradationOf()).parts['pipeline']?.level, { timeout: 30_000 }).toBe('full');
  const healthy = await untilNewVisitorsAt('full', 30_000);
  expect(healthy.actions.filter((a) => a.kind === 'recs')).toEqual([]);

  stack.pausePart('pipeline');
  let degraded: Answer;
  try {
    // Events keep coming while it is stalled: its lag grows; its report goes silent.
    const feed = setInterval(() => void someHistory().catch(() => undefined), 1_000);
    try {
      await expect.poll(async () => (await degradationOf()).level, { timeout: 30_000, interval: 500 }).toBe('popularity');
      // The edge reads the popular list again at most every 30 s: what it read before the history counted may be empty.
      degraded = await untilNewVisitorsAt('popularity', 45_000, (answer) => recsItemsOf(answer) > 0);
    } finally {
      clearInterval(feed);
    }
  } finally {
    stack.resumePart('pipeline');
  }
  expect(degraded.reason).toBe('upstream:pipeline');

  // Caught up: the pipeline, the collector's view and the edge come back to full without anyone's help.
  await expect.poll(async () => (await degradationOf()).level, { timeout: 60_000, interval: 500 }).toBe('full');
  await untilNewVisitorsAt('full', 30_000);
}, 180_000);

test('a stalled collector fills the outboxes: the edge decides nothing while it takes every event, and comes back by itself', async (ctx) => {
  ctx.onTestFailed(() => void (failed = true));
  const visitor = anonymousIdIn(recsExperiment(), 'similar');
  stack.pausePart('collector');
  const during: Answer[] = [];
  try {
    // One visitor keeps browsing; each batch waits in its outbox (the relay times out after 1 s).
    while (during.length < 30 && during.at(-1)?.level !== 'data_only') {
      during.push(await collect([productView(visitor, 'sku-1002', 'lighting')]));
    }
  } finally {
    stack.resumePart('collector');
  }
  expect(during.every((a) => a.status === 200)).toBe(true);
  const last = during.at(-1)!;
  expect({ level: last.level, reason: last.reason, actions: last.actions }).toEqual({ level: 'data_only', reason: 'outbox_depth', actions: [] });

  // The collector is back: the visitor's next batches drain its outbox, and the edge recovers.
  await expect
    .poll(async () => (await collect([productView(visitor, 'sku-1004', 'furniture')])).level, { timeout: 60_000, interval: 1_000 })
    .toBe('full');
}, 180_000);

test('every event the edge took is in sf.events and counted exactly once by the pipeline', async (ctx) => {
  ctx.onTestFailed(() => void (failed = true));
  // The two tests above sent a few dozen events through the edge.
  expect(accepted.size).toBeGreaterThan(20);
  const report = await auditLoop(
    { kafkaBrokers: stack.kafkaBrokers, topicPrefix: stack.topicPrefix, redisUrl: stack.redisUrl, collectorUrl: stack.collectorUrl!, readSecret: stack.readSecret },
    accepted,
    { waitMs: 60_000 },
  );
  expect(report.missingFromKafka).toEqual([]);
  expect(report.missingFromPipeline).toEqual([]);
  expect(report.countedTwice).toEqual([]);
  expect(report.inKafka).toBe(accepted.size);
}, 120_000);

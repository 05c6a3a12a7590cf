/**
 * Decisions relayed with a batch: written as `decision` records of the events
 * topic, keyed and stamped like the batch's events; counted by type; the
 * edge's report in the metrics.
 */
import { describe, expect, it } from 'vitest';
import { topicNames, type Decided } from '@sessionflow/core';
import { createCollectorApp } from '../src/app.js';
import { buildRecords } from '../src/ingest/records.js';
import { createCollectorMetrics } from '../src/metrics.js';
import { createLogger } from '../src/log.js';
import { ADMIN_SECRET, CATALOG_SECRET, click, crypto, envelope, FakeProbe, FakeSink, NOW, pageView, SECRET, signedHeaders } from './fakes.js';

const topics = topicNames('sf');
const decided = (id: string, extra: Partial<Decided> = {}): Decided => ({ id, at: NOW - 500, ruleId: 'category-banner.lighting', actionId: 'category-banner.lighting:0', kind: 'banner', slot: 'banner', ...extra });

describe('buildRecords with decisions', () => {
  it('writes each decision after the events, keyed by the batch\'s anonymous id, with its session and the ingest meta', () => {
    const env = envelope([pageView('anon-aaaaaaaa'), click('anon-aaaaaaaa', 'p-1')], { decisions: [decided('d-1'), decided('d-2', { experiment: 'e', variant: 'b' })], device: 'mobile' });
    const built = buildRecords(env as Parameters<typeof buildRecords>[0], topics, NOW);
    expect([built.accepted, built.decisions, built.deadLettered]).toEqual([2, 2, 0]);
    expect(built.records.map((r) => r.key)).toEqual(['anon-aaaaaaaa', 'anon-aaaaaaaa', 'anon-aaaaaaaa', 'anon-aaaaaaaa']);
    const second = JSON.parse(built.records[3]!.value) as Record<string, unknown>;
    expect(second).toEqual({
      type: 'decision',
      anonymousId: 'anon-aaaaaaaa',
      sessionId: 'session-0001',
      ...decided('d-2', { experiment: 'e', variant: 'b' }),
      ingest: { siteKey: 'demo-site-key', receivedAt: NOW - 500, ingestedAt: NOW, device: 'mobile' },
    });
    expect(built.records[2]!.topic).toBe('sf.events');
    expect(Object.fromEntries(built.acceptedByType)).toEqual({ page_view: 1, click: 1, decision: 2 });
  });

  it('dead-letters decisions when no event of the batch was accepted to name their session', () => {
    const env = envelope([{ type: 'page_view' }], { decisions: [decided('d-1')] });
    const built = buildRecords(env as Parameters<typeof buildRecords>[0], topics, NOW);
    expect([built.accepted, built.decisions, built.deadLettered]).toEqual([0, 0, 2]);
    const letters = built.records.map((r) => [r.topic, JSON.parse(r.value) as { errors: { field: string }[] }] as const);
    expect(letters.every(([topic]) => topic === 'sf.events.dlq')).toBe(true);
    expect(letters[1]![1].errors[0]!.field).toBe('decisions');
  });
});

describe('POST /v1/ingest with decisions', () => {
  function setup() {
    const sink = new FakeSink();
    const metrics = createCollectorMetrics({ defaultMetrics: false });
    const app = createCollectorApp({
      config: { relaySecret: SECRET, readSecret: 'test-read-secret', catalogSecret: CATALOG_SECRET, adminSecret: ADMIN_SECRET, bodyLimitBytes: 64 * 1024, produceTimeoutMs: 5_000 },
      topics,
      sink,
      readiness: new FakeProbe(),
      metrics,
      crypto,
      now: () => NOW,
      logger: createLogger('error', () => undefined),
    });
    const ingest = async (body: unknown) => {
      const text = JSON.stringify(body);
      return app.request('/v1/ingest', { method: 'POST', body: text, headers: await signedHeaders(text) });
    };
    return { app, sink, ingest };
  }

  it('answers how many decisions it wrote, and counts records by type and the edge\'s report', async () => {
    const { app, ingest } = setup();
    const first = await ingest(envelope([pageView('anon-aaaaaaaa'), pageView('anon-aaaaaaaa')], { decisions: [decided('d-1')], edge: { outboxDepth: 4, decideMs: 3 } }));
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ accepted: 2, decisions: 1, deadLettered: 0 });
    const second = await ingest(envelope([click('anon-bbbbbbbb', 'p-1')], { edge: { outboxDepth: 1, decideMs: 0 } }));
    expect(await second.json()).toEqual({ accepted: 1, deadLettered: 0 });

    const text = await (await app.request('/metrics')).text();
    expect(text).toContain('sf_collector_events_by_type_total{type="page_view"} 2');
    expect(text).toContain('sf_collector_events_by_type_total{type="click"} 1');
    expect(text).toContain('sf_collector_events_by_type_total{type="decision"} 1');
    // The latest report wins.
    expect(text).toContain('sf_edge_outbox_depth 1');
    expect(text).toContain('sf_edge_decide_seconds_count 2');
    expect(text).toContain('sf_edge_decide_seconds_sum 0.003');
  });

  it('refuses a decision of a bad shape with 400 naming the field, writing nothing', async () => {
    const { sink, ingest } = setup();
    const response = await ingest(envelope([pageView('anon-aaaaaaaa')], { decisions: [{ ...decided('d-1'), at: 'soon' }] }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_envelope', field: 'decisions.0.at' });
    expect(sink.records).toHaveLength(0);
  });
});

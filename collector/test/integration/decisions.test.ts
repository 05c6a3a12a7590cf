/**
 * The edge's decisions into the data, on real Kafka and Redis: a relayed
 * batch with decisions → the collector writes them as decision records of the
 * events topic → the sessions stage keeps them with the open session and
 * counts the rule fires → the console's reads show them
 * (`/v1/sessions/open`, `/v1/sessions/:id`, `/v1/rules/fires`). The same
 * batch relayed again (an edge retry after a lost answer) counts nothing
 * twice, and no other stage takes a decision for an unreadable record.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELAY_VERSION, type Decided, type OpenSessionView, type OpenSessionsView, type RuleFiresView } from '@sessionflow/core';
import type { RunningPipeline } from '../../src/pipeline/pipeline.js';
import type { RunningCollector } from '../../src/server.js';
import { SECRET, signedHeaders } from '../fakes.js';
import { eventually, newVisitor, pageView, productClick, startInfra, startReadyPipeline, startTestCollector, type Infra } from './support.js';

const READ_SECRET = 'decisions-read-secret';
const prefix = 'it-decisions';

let infra: Infra;
let collector: RunningCollector;
let pipeline: RunningPipeline;

beforeAll(async () => {
  infra = await startInfra();
  collector = await startTestCollector(infra, prefix, READ_SECRET);
  pipeline = await startReadyPipeline(infra, prefix);
});

afterAll(async () => {
  await pipeline?.close();
  await collector?.close();
  await infra?.stop();
});

async function relay(envelope: Record<string, unknown>): Promise<Response> {
  const body = JSON.stringify(envelope);
  return fetch(`${collector.url}/v1/ingest`, { method: 'POST', body, headers: await signedHeaders(body, SECRET, Date.now()) });
}

async function read<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${collector.url}${path}`, { headers: { authorization: `Bearer ${READ_SECRET}` } });
  return { status: response.status, body: (await response.json()) as T };
}

const firesOf = (view: RuleFiresView, ruleId: string) => view.rules.find((rule) => rule.ruleId === ruleId)?.fired ?? 0;

describe('decisions relayed with a batch', () => {
  it('show on the open session and count as rule fires, once each however often they are relayed', async () => {
    const visitor = newVisitor();
    const now = Date.now();
    const banner = `banner-${randomUUID().slice(0, 8)}`;
    const recs = `recs-${randomUUID().slice(0, 8)}`;
    const decided = (ruleId: string, extra: Partial<Decided> = {}): Decided => ({ id: randomUUID(), at: now, ruleId, actionId: `${ruleId}:0`, kind: 'banner', slot: 'banner', ...extra });
    const first = [decided(banner), decided(recs, { kind: 'recs', slot: 'recs', experiment: 'recs-strategy', variant: 'popular' })];
    const batch = {
      relayVersion: RELAY_VERSION,
      siteKey: 'demo-site-key',
      receivedAt: now,
      device: 'mobile',
      events: [pageView(visitor, now), productClick(visitor, 'lamp-1', 'lighting', now + 1), productClick(visitor, 'lamp-2', 'lighting', now + 2)],
      decisions: first,
      edge: { outboxDepth: 1, decideMs: 2 },
    };

    const taken = await relay(batch);
    expect(taken.status).toBe(202);
    expect(await taken.json()).toEqual({ accepted: 3, decisions: 2, deadLettered: 0 });

    let session: OpenSessionView | undefined;
    await eventually('the open session to show its decisions', async () => {
      const { status, body } = await read<OpenSessionsView>('/v1/sessions/open?limit=200');
      session = status === 200 ? body.sessions.find((s) => s.sessionId === visitor.sessionId) : undefined;
      return session?.decisions.length === 2;
    });
    expect(session).toMatchObject({
      anonymousId: visitor.anonymousId,
      device: 'mobile',
      source: 'direct',
      pageViews: 1,
      events: 3,
      variants: { 'recs-strategy': 'popular' },
      decisions: first,
    });
    expect(session?.signals.intentCategory).toBe('lighting');
    const { body: listed } = await read<OpenSessionsView>('/v1/sessions/open');
    expect(listed.open).toBeGreaterThanOrEqual(1);
    expect(listed.visitors).toBeGreaterThanOrEqual(1);
    expect(listed.visitors).toBeLessThanOrEqual(listed.open);

    const one = await read<OpenSessionView>(`/v1/sessions/${visitor.sessionId}`);
    expect(one.status).toBe(200);
    expect(one.body.decisions.map((d) => d.id)).toEqual(first.map((d) => d.id));
    expect((await read(`/v1/sessions/session-${randomUUID()}`)).status).toBe(404);

    const fired = (await read<RuleFiresView>('/v1/rules/fires?minutes=5')).body;
    expect(firesOf(fired, banner)).toBe(1);
    expect(firesOf(fired, recs)).toBe(1);
    expect(fired.rules.find((rule) => rule.ruleId === banner)?.perMinute).toHaveLength(5);

    // The edge relays the same batch again (its answer was lost), then a later one with one more decision of the banner rule.
    expect((await relay(batch)).status).toBe(202);
    const later = decided(banner, { at: now + 10 });
    const next = { ...batch, receivedAt: now + 10, events: [pageView(visitor, now + 10)], decisions: [later] };
    expect((await relay(next)).status).toBe(202);

    // The device's records are applied in order: once the later decision shows, the replay before it was applied too.
    await eventually('the later decision to show', async () => {
      const { body } = await read<OpenSessionView>(`/v1/sessions/${visitor.sessionId}`);
      return body.decisions?.some((d) => d.id === later.id) === true;
    });
    const after = (await read<OpenSessionView>(`/v1/sessions/${visitor.sessionId}`)).body;
    expect(after.decisions.map((d) => d.id)).toEqual([...first, later].map((d) => d.id));
    expect(after.events).toBe(4);
    const firedAfter = (await read<RuleFiresView>('/v1/rules/fires?minutes=5')).body;
    expect(firesOf(firedAfter, banner)).toBe(2);
    expect(firesOf(firedAfter, recs)).toBe(1);

    // Every stage read what it consumed: decisions are not unreadable records to anyone.
    const metrics = await (await fetch(`${pipeline.url}/metrics`)).text();
    expect(metrics).not.toMatch(/sessionflow_pipeline_records_total\{[^}]*outcome="unreadable"[^}]*\} [1-9]/);
    const collectorMetrics = await (await fetch(`${collector.url}/metrics`)).text();
    expect(collectorMetrics).toContain('sf_collector_events_by_type_total{type="decision"} 5');
    expect(collectorMetrics).toContain('sf_edge_outbox_depth 1');
  });
});

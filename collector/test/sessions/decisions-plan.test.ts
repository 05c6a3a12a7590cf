import { describe, expect, it } from 'vitest';
import type { Decided, DecisionRecord } from '@sessionflow/core';
import { DECIDED_FIELD, planSessionDecisions, type DecisionsPlanContext } from '../../src/pipeline/sessions/decisions-plan.js';
import { DECISIONS_KEPT, readDecided, withDecisions } from '../../src/pipeline/sessions/decided.js';
import { planSessionEvents } from '../../src/pipeline/sessions/fold-plan.js';
import { sessionKeys } from '../../src/pipeline/sessions/keys.js';
import { ROLLUP_RETENTION_S } from '../../src/pipeline/rollups/commands.js';
import { pageView, sessionEvent, T0 } from './events.js';
import { MemoryStore } from './memory-store.js';

const keys = sessionKeys('t', 't.events', 1);
const MINUTE = 60_000;
// T0 is not on a minute boundary; the minute of each decision is what counts.
const minuteOf = (at: number) => new Date(Math.floor(at / MINUTE) * MINUTE).toISOString().slice(0, 16);

const decision = (sessionId: string, id: string, at: number, extra: Partial<Decided> = {}): DecisionRecord => ({
  type: 'decision',
  anonymousId: `anon-of-${sessionId}`,
  sessionId,
  id,
  at,
  ruleId: 'banner-rule',
  actionId: 'banner-rule:0',
  kind: 'banner',
  slot: 'banner',
  ...extra,
  ingest: { siteKey: 'demo-site-key', receivedAt: at, ingestedAt: at + 3 },
});

function plan(store: MemoryStore, records: DecisionRecord[], holds: (id: string) => boolean = () => true) {
  const ctx: DecisionsPlanContext = { keys, seenTtlSeconds: 60, holds, kept: (id) => readDecided(store.hashes.get(keys.session(id))?.get(DECIDED_FIELD)) };
  store.run(planSessionDecisions(records, ctx));
}

describe('planSessionDecisions', () => {
  it('keeps the decisions with their session, with the variants they name, and remembers their ids', () => {
    const store = new MemoryStore();
    plan(store, [decision('s-1', 'd-1', T0), decision('s-1', 'd-2', T0 + 1_000, { ruleId: 'recs-rule', kind: 'recs', experiment: 'recs-strategy', variant: 'popular' })]);
    const kept = readDecided(store.hashes.get(keys.session('s-1'))?.get(DECIDED_FIELD));
    expect(kept.decisions.map((d) => d.id)).toEqual(['d-1', 'd-2']);
    expect(kept.decisions[1]).toEqual({ id: 'd-2', at: T0 + 1_000, ruleId: 'recs-rule', actionId: 'banner-rule:0', kind: 'recs', slot: 'banner', experiment: 'recs-strategy', variant: 'popular' });
    expect(kept.variants).toEqual({ 'recs-strategy': 'popular' });
    expect(store.strings.get(keys.seenDecision('d-1'))).toBe('1');
  });

  it('counts fires per rule in the minute each was decided, kept as long as the funnel rollups', () => {
    const store = new MemoryStore();
    const later = T0 + 2 * MINUTE;
    plan(store, [decision('s-1', 'd-1', T0), decision('s-2', 'd-2', T0, { ruleId: 'other' }), decision('s-1', 'd-3', later)]);
    plan(store, [decision('s-3', 'd-4', T0)]);
    expect(Object.fromEntries(store.hashes.get(keys.ruleFires(minuteOf(T0))) ?? [])).toEqual({ 'banner-rule': '2', other: '1' });
    expect(Object.fromEntries(store.hashes.get(keys.ruleFires(minuteOf(later))) ?? [])).toEqual({ 'banner-rule': '1' });
    expect(store.expiringAt.get(keys.ruleFires(minuteOf(T0)))).toBe(Math.floor(T0 / MINUTE) * 60 + ROLLUP_RETENTION_S);
  });

  it('counts the fire of a session it does not hold, but keeps nothing for it', () => {
    const store = new MemoryStore();
    plan(store, [decision('gone', 'd-1', T0)], () => false);
    expect(store.hashes.has(keys.session('gone'))).toBe(false);
    expect(store.hashes.get(keys.ruleFires(minuteOf(T0)))?.get('banner-rule')).toBe('1');
  });
});

describe('withDecisions', () => {
  it(`keeps each id once and the latest ${DECISIONS_KEPT} in the order decided`, () => {
    const first = withDecisions(readDecided(null), Array.from({ length: 15 }, (_, i) => decision('s', `d-${i}`, T0 + i)));
    const next = withDecisions(first, [decision('s', 'd-3', T0 + 3), ...Array.from({ length: 10 }, (_, i) => decision('s', `e-${i}`, T0 + 100 + i))]);
    expect(next.decisions).toHaveLength(DECISIONS_KEPT);
    expect(next.decisions[0]!.id).toBe('d-5');
    expect(next.decisions.at(-1)!.id).toBe('e-9');
    expect(new Set(next.decisions.map((d) => d.id)).size).toBe(DECISIONS_KEPT);
    // A late relay of an older decision does not push a newer one out.
    const late = withDecisions(next, [decision('s', 'old', T0 - 1)]);
    expect(late.decisions.map((d) => d.id)).toEqual(next.decisions.map((d) => d.id));
  });

  it('reads an absent or malformed field as nothing kept', () => {
    expect(readDecided(undefined)).toEqual({ decisions: [], variants: {} });
    expect(readDecided('not json')).toEqual({ decisions: [], variants: {} });
    expect(readDecided('{"decisions":3}')).toEqual({ decisions: [], variants: {} });
  });
});

describe('the session\'s device and source', () => {
  it('come from its events: the device of the first that names one, the source of its landing page view', () => {
    const store = new MemoryStore();
    const landing = sessionEvent('s-9', T0, { type: 'page_view', page: { url: 'https://shop.example/?utm_source=Newsletter', referrer: '' } });
    (landing.ingest as { device?: string }).device = 'mobile';
    const next = sessionEvent('s-9', T0 + 1_000, { type: 'page_view', page: { url: 'https://shop.example/p/1', referrer: 'https://search.example/' } });
    (next.ingest as { device?: string }).device = 'desktop';
    store.run(planSessionEvents([landing, next], new Map(), { keys, seenTtlSeconds: 60, snapshotIntervalMs: 5_000 }));
    const hash = store.hashes.get(keys.session('s-9'));
    expect(hash?.get('device')).toBe('mobile');
    expect(hash?.get('source')).toBe('newsletter');
    const without = new MemoryStore();
    without.run(planSessionEvents([pageView('s-10', T0)], new Map(), { keys, seenTtlSeconds: 60, snapshotIntervalMs: 5_000 }));
    expect(without.hashes.get(keys.session('s-10'))?.has('device')).toBe(false);
    expect(without.hashes.get(keys.session('s-10'))?.get('source')).toBe('direct');
  });
});

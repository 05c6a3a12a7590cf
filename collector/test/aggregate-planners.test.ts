/**
 * The experiment and rollup planners: which events become which arguments of
 * the experiments' Lua script and which rollup commands (what Redis does with
 * them is checked against a real Redis in integration/aggregates.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { topicNames, type IngestedEvent } from '@sessionflow/core';
import { eventCommands, PLANNER_SCRIPT } from '../src/pipeline/commands.js';
import { parseExperiments } from '../src/pipeline/experiments/config.js';
import { experimentCommands } from '../src/pipeline/experiments/commands.js';
import { EXPERIMENT_SCRIPT } from '../src/pipeline/experiments/script.js';
import type { ByUserEvent } from '../src/pipeline/identity/records.js';
import { rollupCommands, ROLLUP_RETENTION_S } from '../src/pipeline/rollups/commands.js';
import { deviceOf } from '../src/pipeline/rollups/device.js';
import { lastMinutes, minuteOf } from '../src/pipeline/rollups/minute.js';
import { trafficSource } from '../src/pipeline/rollups/source.js';
import { funnelStep } from '../src/pipeline/rollups/steps.js';
import { DEFAULT_STATE_BOUNDS } from '../src/store/bounds.js';
import { storeKeys } from '../src/store/keys.js';
import { click, NOW, pageView } from './fakes.js';

// One by-user partition's keys: a batch writes its own partition's part of the sums.
const keys = storeKeys('t', topicNames('t').eventsByUser, 3);
const experiments = parseExperiments(
  JSON.stringify([
    { key: 'recs-strategy', version: 1, traffic: 1, variants: [{ name: 'similar', weight: 1 }, { name: 'popular', weight: 1 }] },
    { key: 'banner', version: 2, traffic: 1, variants: [{ name: 'a', weight: 1 }, { name: 'b', weight: 1 }], conversion: { type: 'track', name: 'purchase' } },
  ]),
  'EXPERIMENTS',
);

function ingested(event: Record<string, unknown>, ingest: Record<string, unknown> = {}): ByUserEvent {
  return { ...event, ingest: { siteKey: 'demo-site-key', receivedAt: NOW, ingestedAt: NOW + 5, ...ingest } } as unknown as ByUserEvent;
}
const track = (anonymousId: string, name: string, props: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  ingested({ ...pageView(anonymousId), type: 'track', name, props, ...extra });
const exposure = (anonymousId: string, experiment: string, variant: string, extra: Record<string, unknown> = {}) =>
  ingested({ ...pageView(anonymousId), type: 'exposure', actionId: 'recs-1', experiment, variant, ...extra });

/** The script's argument tuples, `size` per event, after `skip` leading arguments. */
function tuples(commands: string[][], script: string, size: number, skip = 0): string[][] {
  const evals = commands.filter((c) => c[0] === PLANNER_SCRIPT && c[1] === script);
  expect(evals.length).toBeLessThanOrEqual(1);
  const args = evals[0]?.slice(2 + skip) ?? [];
  expect(args.length % size).toBe(0);
  return Array.from({ length: args.length / size }, (_, i) => args.slice(i * size, i * size + size));
}

describe('experimentCommands', () => {
  const plan = (events: ByUserEvent[]) => tuples(experimentCommands(events, keys, experiments), EXPERIMENT_SCRIPT, 5);

  it('counts exposures of configured experiments and variants (and the holdout) for the canonical profile ref, in record order', () => {
    const args = plan([
      exposure('anon-aaaaaaaa', 'recs-strategy', 'popular', { canonicalId: 'u:user-1' }),
      exposure('anon-bbbbbbbb', 'recs-strategy', 'holdout'),
      exposure('anon-cccccccc', 'banner', 'b'),
    ]);
    expect(args).toEqual([
      ['exposure', keys.experimentCounts('recs-strategy'), keys.experimentUnits('recs-strategy'), 'u:user-1', 'popular'],
      ['exposure', keys.experimentCounts('recs-strategy'), keys.experimentUnits('recs-strategy'), 'a:anon-bbbbbbbb', 'holdout'],
      ['exposure', keys.experimentCounts('banner'), keys.experimentUnits('banner'), 'a:anon-cccccccc', 'b'],
    ]);
  });

  it("lets each counted experiment's keys expire after its quiet period, after the script", () => {
    const bounds = { ...DEFAULT_STATE_BOUNDS, experimentTtlSeconds: 1234 };
    const commands = experimentCommands([exposure('anon-aaaaaaaa', 'banner', 'a'), exposure('anon-aaaaaaaa', 'nope', 'a')], keys, experiments, bounds);
    expect(commands.slice(1)).toEqual([
      ['EXPIRE', keys.experimentCounts('banner'), '1234'],
      ['EXPIRE', keys.experimentUnits('banner'), '1234'],
    ]);
    expect(commands[0]?.slice(0, 2)).toEqual([PLANNER_SCRIPT, EXPERIMENT_SCRIPT]);
  });

  it('ignores exposures of unknown experiments or variants, and exposures without an experiment', () => {
    expect(plan([exposure('anon-aaaaaaaa', 'nope', 'similar'), exposure('anon-aaaaaaaa', 'recs-strategy', 'forged')])).toEqual([]);
    expect(plan([ingested({ ...pageView('anon-aaaaaaaa'), type: 'exposure', actionId: 'rule-1' })])).toEqual([]);
  });

  it("offers each experiment's own conversion event", () => {
    const args = plan([track('anon-aaaaaaaa', 'add_to_cart', { productId: 'sku-1' }), track('anon-aaaaaaaa', 'purchase', { productId: 'sku-1' }), track('anon-aaaaaaaa', 'search')]);
    expect(args).toEqual([
      ['conversion', keys.experimentCounts('recs-strategy'), keys.experimentUnits('recs-strategy'), 'a:anon-aaaaaaaa', ''],
      ['conversion', keys.experimentCounts('banner'), keys.experimentUnits('banner'), 'a:anon-aaaaaaaa', ''],
    ]);
  });

  it('changes nothing for a prefix record, nor without experiments', () => {
    const prefix = { canonicalId: 'u:user-1', attribution: 'prefix' };
    expect(experimentCommands([exposure('anon-aaaaaaaa', 'recs-strategy', 'similar', prefix), track('anon-aaaaaaaa', 'add_to_cart', {}, prefix)], keys, experiments)).toEqual([]);
    expect(experimentCommands([exposure('anon-aaaaaaaa', 'recs-strategy', 'similar')], keys, [])).toEqual([]);
  });
});

describe('rollupCommands', () => {
  const minute = minuteOf(NOW - 1000);
  const expireAt = String(Math.floor((NOW - 1000) / 60_000) * 60 + ROLLUP_RETENTION_S);
  const stamped = (event: ByUserEvent, source: string): ByUserEvent => ({ ...event, source });
  const visitorsOf = (commands: string[][], key: string) => commands.filter((c) => c[0] === 'PFADD' && c[1] === key).flatMap((c) => c.slice(2));

  it('counts each funnel step in its event-time minute under the stamped source, the device and the canonical profile ref', () => {
    const landing = ingested({ ...pageView('anon-aaaaaaaa'), canonicalId: 'u:user-1' }, { device: 'mobile' });
    const commands = rollupCommands(
      [
        stamped(landing, 'newsletter'),
        stamped(ingested(click('anon-aaaaaaaa', 'sku-1'), { device: 'tablet' }), 'newsletter'),
        stamped(track('anon-aaaaaaaa', 'add_to_cart', { productId: 'sku-1' }), 'google.com'),
      ],
      keys,
    );
    const segment = (step: string, device: string, source: string) => keys.funnelSegmentVisitors(minute, step, device, source);
    expect(commands).toEqual([
      ['HINCRBY', keys.funnelEvents(minute), 'page_view|mobile|newsletter', '1'],
      ['HINCRBY', keys.funnelEvents(minute), 'product_view|tablet|newsletter', '1'],
      ['HINCRBY', keys.funnelEvents(minute), 'add_to_cart|unknown|google.com', '1'],
      ['PFADD', segment('page_view', 'mobile', 'newsletter'), 'u:user-1'],
      ['PFADD', keys.funnelVisitors(minute, 'page_view'), 'u:user-1'],
      ['PFADD', segment('product_view', 'tablet', 'newsletter'), 'a:anon-aaaaaaaa'],
      ['PFADD', keys.funnelVisitors(minute, 'product_view'), 'a:anon-aaaaaaaa'],
      ['PFADD', segment('add_to_cart', 'unknown', 'google.com'), 'a:anon-aaaaaaaa'],
      ['PFADD', keys.funnelVisitors(minute, 'add_to_cart'), 'a:anon-aaaaaaaa'],
      ...[keys.funnelEvents(minute), segment('page_view', 'mobile', 'newsletter'), keys.funnelVisitors(minute, 'page_view'), segment('product_view', 'tablet', 'newsletter'), keys.funnelVisitors(minute, 'product_view'), segment('add_to_cart', 'unknown', 'google.com'), keys.funnelVisitors(minute, 'add_to_cart')].map((key) => ['EXPIREAT', key, expireAt]),
    ]);
  });

  it('counts a record without a stamp under the unknown source, its own landing URL notwithstanding, and reads nothing from Redis', () => {
    const unstamped = ingested({ ...pageView('anon-aaaaaaaa'), page: { url: 'https://shop.example/?utm_source=Newsletter', referrer: '' } });
    const commands = rollupCommands([unstamped, track('anon-aaaaaaaa', 'purchase')], keys);
    expect(commands.filter((c) => c[0] === 'HINCRBY').map((c) => c[2])).toEqual(['page_view|unknown|unknown', 'purchase|unknown|unknown']);
    expect(visitorsOf(commands, keys.funnelSegmentVisitors(minute, 'purchase', 'unknown', 'unknown'))).toEqual(['a:anon-aaaaaaaa']);
    expect(new Set(commands.map((c) => c[0]))).toEqual(new Set(['HINCRBY', 'PFADD', 'EXPIREAT']));
  });

  it('sums a batch per hash field and unites its visitors per HyperLogLog, each key expiring once after its writes', () => {
    const view = (anonymousId: string, at: number) => stamped(ingested({ ...pageView(anonymousId), timestamp: at }), 'direct');
    const earlier = NOW - 1000 - 60_000;
    const commands = rollupCommands([view('anon-aaaaaaaa', NOW - 1000), view('anon-bbbbbbbb', NOW - 1000), view('anon-aaaaaaaa', NOW - 1000), view('anon-aaaaaaaa', earlier)], keys);
    const hincrby = commands.filter((c) => c[0] === 'HINCRBY');
    expect(hincrby).toEqual([
      ['HINCRBY', keys.funnelEvents(minute), 'page_view|unknown|direct', '3'],
      ['HINCRBY', keys.funnelEvents(minuteOf(earlier)), 'page_view|unknown|direct', '1'],
    ]);
    expect(visitorsOf(commands, keys.funnelVisitors(minute, 'page_view'))).toEqual(['a:anon-aaaaaaaa', 'a:anon-bbbbbbbb']);
    expect(visitorsOf(commands, keys.funnelVisitors(minuteOf(earlier), 'page_view'))).toEqual(['a:anon-aaaaaaaa']);
    const expiries = commands.filter((c) => c[0] === 'EXPIREAT');
    expect(expiries).toHaveLength(6);
    expect(new Set(expiries.map((c) => c[1])).size).toBe(6);
    expect(expiries.find((c) => c[1] === keys.funnelEvents(minuteOf(earlier)))?.[2]).toBe(String(Number(expireAt) - 60));
    expect(commands.findIndex((c) => c[0] === 'EXPIREAT')).toBe(commands.length - expiries.length);
  });

  it('skips events outside the funnel and prefix records', () => {
    expect(rollupCommands([ingested({ ...pageView('anon-aaaaaaaa'), type: 'scroll', depth: 50 }), track('anon-aaaaaaaa', 'search')], keys)).toEqual([]);
    expect(rollupCommands([ingested({ ...pageView('anon-aaaaaaaa'), canonicalId: 'u:user-1', attribution: 'prefix', source: 'direct' })], keys)).toEqual([]);
  });

  it('uses the time the edge received an event when the visitor clock runs ahead', () => {
    const ahead = stamped(ingested({ ...pageView('anon-aaaaaaaa'), timestamp: NOW + 3_600_000 }), 'direct');
    expect(rollupCommands([ahead], keys)[0]?.[1]).toBe(keys.funnelEvents(minuteOf(NOW)));
  });
});

describe('funnel readings', () => {
  it('reads the steps the way the open session does', () => {
    expect(funnelStep(ingested(pageView('anon-aaaaaaaa')))).toBe('page_view');
    expect(funnelStep(ingested(click('anon-aaaaaaaa', 'sku-1')))).toBe('product_view');
    expect(funnelStep(ingested({ ...pageView('anon-aaaaaaaa'), type: 'click', element: { tag: 'a' } }))).toBeUndefined();
    expect(funnelStep(track('anon-aaaaaaaa', 'product_view', { productId: 'sku-1' }))).toBe('product_view');
    expect(funnelStep(track('anon-aaaaaaaa', 'product_view', {}))).toBeUndefined();
    expect(funnelStep(track('anon-aaaaaaaa', 'add_to_cart', { productId: 'sku-1' }))).toBe('add_to_cart');
    expect(funnelStep(track('anon-aaaaaaaa', 'purchase'))).toBe('purchase');
    expect(funnelStep(ingested({ ...pageView('anon-aaaaaaaa'), type: 'impression', product: { id: 'sku-1' } }))).toBeUndefined();
  });

  it.each([
    ['https://shop.example/?utm_source=Google%20Ads', 'https://www.google.com/', 'google_ads'],
    ['https://shop.example/p/1', 'https://www.google.com/search?q=mug', 'google.com'],
    ['https://shop.example/p/1', 'https://shop.example/', 'direct'],
    ['https://shop.example/p/1', '', 'direct'],
    ['https://shop.example/?utm_source=%E2%9C%93', '', 'unknown'],
  ])('the traffic source of a landing on %s from "%s" is %s', (url, referrer, source) => {
    expect(trafficSource({ url, referrer })).toBe(source);
  });

  it('takes the device the edge stamped, else unknown', () => {
    expect(deviceOf(ingested(pageView('anon-aaaaaaaa'), { device: 'bot' }))).toBe('bot');
    expect(deviceOf(ingested(pageView('anon-aaaaaaaa'), { device: 'fridge' }))).toBe('unknown');
    expect(deviceOf(ingested(pageView('anon-aaaaaaaa')))).toBe('unknown');
  });

  it('names minutes in UTC and lists the last ones oldest first', () => {
    expect(minuteOf(Date.UTC(2026, 11, 2, 9, 41, 59, 999))).toBe('2026-12-02T09:41');
    expect(lastMinutes(Date.UTC(2026, 11, 2, 0, 1, 30), 3)).toEqual(['2026-12-01T23:59', '2026-12-02T00:00', '2026-12-02T00:01']);
  });
});

describe('eventCommands with the aggregates', () => {
  it('adds one experiment script per batch, its expiries, and then the rollups, after the other state', () => {
    const events = [exposure('anon-aaaaaaaa', 'recs-strategy', 'similar'), ingested(pageView('anon-aaaaaaaa')), track('anon-aaaaaaaa', 'add_to_cart', { productId: 'sku-1' })];
    const commands = eventCommands(events as IngestedEvent[], { keys, seenTtlSeconds: 60, categoryOf: () => undefined, experiments });
    expect(commands.filter((c) => c[0] === PLANNER_SCRIPT && c[1] === EXPERIMENT_SCRIPT)).toHaveLength(1);
    const rollups = rollupCommands(events, keys);
    expect(rollups.length).toBeGreaterThan(0);
    const experimentAt = commands.findIndex((c) => c[0] === PLANNER_SCRIPT && c[1] === EXPERIMENT_SCRIPT);
    const ttl = String(DEFAULT_STATE_BOUNDS.experimentTtlSeconds);
    expect(commands.slice(experimentAt + 1, experimentAt + 3)).toEqual([
      ['EXPIRE', keys.experimentCounts('recs-strategy'), ttl],
      ['EXPIRE', keys.experimentUnits('recs-strategy'), ttl],
    ]);
    expect(commands.slice(experimentAt + 3, experimentAt + 3 + rollups.length)).toEqual(rollups);
    expect(commands.filter((c) => c[0] === 'SET' && c[1]?.includes(':seen:'))).toHaveLength(3);
  });

  it('a prefix record adds nothing to experiments or rollups', () => {
    const prefix = { canonicalId: 'u:user-1', attribution: 'prefix' };
    const events = [exposure('anon-aaaaaaaa', 'recs-strategy', 'similar', prefix), ingested({ ...pageView('anon-aaaaaaaa'), ...prefix })];
    const commands = eventCommands(events as IngestedEvent[], { keys, seenTtlSeconds: 60, categoryOf: () => undefined, experiments });
    expect(commands.filter((c) => c[0] === PLANNER_SCRIPT && c[1] === EXPERIMENT_SCRIPT)).toEqual([]);
    expect(commands.filter((c) => c.some((arg) => arg.includes(':experiment:')))).toEqual([]);
    expect(commands.filter((c) => c.some((arg) => arg.includes(':rollup:')))).toEqual([]);
  });
});

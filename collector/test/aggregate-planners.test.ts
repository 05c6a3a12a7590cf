/**
 * The experiment and rollup planners: which events become which arguments of
 * their Lua scripts (what the scripts do with them is checked against a real
 * Redis in integration/aggregates.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { IngestedEvent } from '@sessionflow/core';
import { eventCommands } from '../src/pipeline/commands.js';
import { parseExperiments } from '../src/pipeline/experiments/config.js';
import { experimentCommands } from '../src/pipeline/experiments/commands.js';
import { EXPERIMENT_SCRIPT } from '../src/pipeline/experiments/script.js';
import type { ByUserEvent } from '../src/pipeline/identity/records.js';
import { rollupCommands, ROLLUP_RETENTION_S } from '../src/pipeline/rollups/commands.js';
import { deviceOf } from '../src/pipeline/rollups/device.js';
import { lastMinutes, minuteOf } from '../src/pipeline/rollups/minute.js';
import { ROLLUP_SCRIPT } from '../src/pipeline/rollups/script.js';
import { trafficSource } from '../src/pipeline/rollups/source.js';
import { funnelStep } from '../src/pipeline/rollups/steps.js';
import { storeKeys } from '../src/store/keys.js';
import { click, NOW, pageView } from './fakes.js';

const keys = storeKeys('t');
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
  const evals = commands.filter((c) => c[0] === 'EVAL' && c[1] === script);
  expect(evals.length).toBeLessThanOrEqual(1);
  const args = evals[0]?.slice(3 + skip) ?? [];
  expect(args.length % size).toBe(0);
  return Array.from({ length: args.length / size }, (_, i) => args.slice(i * size, i * size + size));
}

describe('experimentCommands', () => {
  const plan = (events: ByUserEvent[]) => tuples(experimentCommands(events, keys, experiments), EXPERIMENT_SCRIPT, 5);

  it('counts exposures of configured experiments and variants (and the holdout) for the canonical id, in record order', () => {
    const args = plan([
      exposure('anon-aaaaaaaa', 'recs-strategy', 'popular', { canonicalId: 'user-1' }),
      exposure('anon-bbbbbbbb', 'recs-strategy', 'holdout'),
      exposure('anon-cccccccc', 'banner', 'b'),
    ]);
    expect(args).toEqual([
      ['exposure', keys.experimentCounts('recs-strategy'), keys.experimentUnits('recs-strategy'), 'user-1', 'popular'],
      ['exposure', keys.experimentCounts('recs-strategy'), keys.experimentUnits('recs-strategy'), 'anon-bbbbbbbb', 'holdout'],
      ['exposure', keys.experimentCounts('banner'), keys.experimentUnits('banner'), 'anon-cccccccc', 'b'],
    ]);
  });

  it('ignores exposures of unknown experiments or variants, and exposures without an experiment', () => {
    expect(plan([exposure('anon-aaaaaaaa', 'nope', 'similar'), exposure('anon-aaaaaaaa', 'recs-strategy', 'forged')])).toEqual([]);
    expect(plan([ingested({ ...pageView('anon-aaaaaaaa'), type: 'exposure', actionId: 'rule-1' })])).toEqual([]);
  });

  it("offers each experiment's own conversion event", () => {
    const args = plan([track('anon-aaaaaaaa', 'add_to_cart', { productId: 'sku-1' }), track('anon-aaaaaaaa', 'purchase', { productId: 'sku-1' }), track('anon-aaaaaaaa', 'search')]);
    expect(args).toEqual([
      ['conversion', keys.experimentCounts('recs-strategy'), keys.experimentUnits('recs-strategy'), 'anon-aaaaaaaa', ''],
      ['conversion', keys.experimentCounts('banner'), keys.experimentUnits('banner'), 'anon-aaaaaaaa', ''],
    ]);
  });

  it('changes nothing for a prefix record, nor without experiments', () => {
    const prefix = { canonicalId: 'user-1', attribution: 'prefix' };
    expect(experimentCommands([exposure('anon-aaaaaaaa', 'recs-strategy', 'similar', prefix), track('anon-aaaaaaaa', 'add_to_cart', {}, prefix)], keys, experiments)).toEqual([]);
    expect(experimentCommands([exposure('anon-aaaaaaaa', 'recs-strategy', 'similar')], keys, [])).toEqual([]);
  });
});

describe('rollupCommands', () => {
  const plan = (events: ByUserEvent[]) => {
    const commands = rollupCommands(events, keys);
    if (commands.length > 0) expect(commands[0]?.[3]).toBe(String(ROLLUP_RETENTION_S));
    return tuples(commands, ROLLUP_SCRIPT, 8, 1);
  };
  const minute = minuteOf(NOW - 1000);
  const expireAt = String(Math.floor((NOW - 1000) / 60_000) * 60 + ROLLUP_RETENTION_S);

  it('puts each funnel step in its event-time minute, with the landing source of page views, the device and the canonical id', () => {
    const landing = ingested({ ...pageView('anon-aaaaaaaa'), page: { url: 'https://shop.example/?utm_source=Newsletter', referrer: '' }, canonicalId: 'user-1' }, { device: 'mobile' });
    const args = plan([landing, ingested(click('anon-aaaaaaaa', 'sku-1'), { device: 'tablet' }), track('anon-aaaaaaaa', 'add_to_cart', { productId: 'sku-1' }), track('anon-aaaaaaaa', 'purchase')]);
    const row = (source: string, step: string, device: string, visitor: string) => [
      keys.sessionSource('session-0001'),
      source,
      keys.funnelEvents(minute),
      keys.funnelSegmentVisitors(minute, step, device, ''),
      keys.funnelVisitors(minute, step),
      `${step}|${device}|`,
      visitor,
      expireAt,
    ];
    expect(args).toEqual([
      row('newsletter', 'page_view', 'mobile', 'user-1'),
      row('', 'product_view', 'tablet', 'anon-aaaaaaaa'),
      row('', 'add_to_cart', 'unknown', 'anon-aaaaaaaa'),
      row('', 'purchase', 'unknown', 'anon-aaaaaaaa'),
    ]);
  });

  it('skips events outside the funnel and prefix records', () => {
    expect(rollupCommands([ingested({ ...pageView('anon-aaaaaaaa'), type: 'scroll', depth: 50 }), track('anon-aaaaaaaa', 'search')], keys)).toEqual([]);
    expect(rollupCommands([ingested({ ...pageView('anon-aaaaaaaa'), canonicalId: 'user-1', attribution: 'prefix' })], keys)).toEqual([]);
  });

  it('uses the time the edge received an event when the visitor clock runs ahead', () => {
    const ahead = ingested({ ...pageView('anon-aaaaaaaa'), timestamp: NOW + 3_600_000 });
    expect(plan([ahead])[0]?.[2]).toBe(keys.funnelEvents(minuteOf(NOW)));
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
  it('adds one experiment script and one rollup script per batch, after the other state', () => {
    const events = [exposure('anon-aaaaaaaa', 'recs-strategy', 'similar'), ingested(pageView('anon-aaaaaaaa')), track('anon-aaaaaaaa', 'add_to_cart', { productId: 'sku-1' })];
    const commands = eventCommands(events as IngestedEvent[], { keys, seenTtlSeconds: 60, categoryOf: () => undefined, experiments });
    expect(commands.filter((c) => c[0] === 'EVAL').map((c) => c[1])).toEqual([EXPERIMENT_SCRIPT, ROLLUP_SCRIPT]);
    expect(commands.filter((c) => c[0] === 'SET' && c[1]?.includes(':seen:'))).toHaveLength(3);
  });

  it('a prefix record adds nothing to experiments or rollups', () => {
    const prefix = { canonicalId: 'user-1', attribution: 'prefix' };
    const events = [exposure('anon-aaaaaaaa', 'recs-strategy', 'similar', prefix), ingested({ ...pageView('anon-aaaaaaaa'), ...prefix })];
    const commands = eventCommands(events as IngestedEvent[], { keys, seenTtlSeconds: 60, categoryOf: () => undefined, experiments });
    expect(commands.filter((c) => c[0] === 'EVAL')).toEqual([]);
  });
});

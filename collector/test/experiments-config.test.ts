import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENTS_JSON, parseExperiments, readExperiments } from '../src/pipeline/experiments/config.js';
import { isConversion } from '../src/pipeline/experiments/conversion.js';
import { readConfig } from '../src/config.js';
import { readPipelineConfig } from '../src/pipeline/config.js';
import type { SessionflowEvent } from '@sessionflow/core';

const experiment = (extra: Record<string, unknown> = {}) => ({
  key: 'recs-strategy',
  version: 1,
  traffic: 1,
  variants: [
    { name: 'similar', weight: 1 },
    { name: 'popular', weight: 2 },
  ],
  ...extra,
});
const parse = (list: unknown) => parseExperiments(JSON.stringify(list), 'EXPERIMENTS');

describe('experiments configuration', () => {
  it('defaults the conversion to an add_to_cart track and the control to the first variant', () => {
    const [setup] = parse([experiment()]);
    expect(setup?.conversion).toEqual({ type: 'track', name: 'add_to_cart' });
    expect(setup?.control).toBe('similar');
    expect(setup?.experiment.variants.map((v) => v.weight)).toEqual([1, 2]);
  });

  it('takes a configured conversion and control', () => {
    const [setup] = parse([experiment({ conversion: { type: 'track', name: 'purchase' }, control: 'popular' })]);
    expect(setup?.conversion).toEqual({ type: 'track', name: 'purchase' });
    expect(setup?.control).toBe('popular');
    expect(parse([experiment({ conversion: { type: 'page_view' } })])[0]?.conversion).toEqual({ type: 'page_view' });
  });

  it('runs recs-strategy locally, in the pipeline and in the collector alike', () => {
    const local = readExperiments({}, 'PIPELINE_EXPERIMENTS');
    expect(local.map((s) => [s.experiment.key, s.control, s.conversion.name])).toEqual([['recs-strategy', 'similar', 'add_to_cart']]);
    expect(readPipelineConfig({}).experiments).toEqual(local);
    expect(readConfig({}).experiments).toEqual(local);
    expect(parseExperiments(DEFAULT_EXPERIMENTS_JSON, 'X')).toEqual(local);
  });

  it.each([
    ['not JSON', '[{', /^EXPERIMENTS: \(experiments\) is not JSON/],
    ['not a list', '{}', /^EXPERIMENTS: \(experiments\) must be a JSON array/],
    ['an item that is not an object', '[1]', /^EXPERIMENTS: 0 must be an object/],
    ['a bad weight (core schema)', JSON.stringify([experiment({ variants: [{ name: 'a', weight: 0 }] })]), /^EXPERIMENTS: 0\.variants\.0\.weight must be greater than 0/],
    ['an unknown field (core schema)', JSON.stringify([experiment({ trafic: 1 })]), /^EXPERIMENTS: 0\.trafic/],
    ['a repeated key', JSON.stringify([experiment(), experiment()]), /^EXPERIMENTS: 1\.key repeats/],
    ['an unknown control', JSON.stringify([experiment({ control: 'b' })]), /^EXPERIMENTS: 0\.control must name one of the variants \(similar, popular\)/],
    ['an exposure as conversion', JSON.stringify([experiment({ conversion: { type: 'exposure' } })]), /^EXPERIMENTS: 0\.conversion\.type must be one of/],
    ['a name on a page view', JSON.stringify([experiment({ conversion: { type: 'page_view', name: 'x' } })]), /^EXPERIMENTS: 0\.conversion may name only a track event/],
    ['an unknown conversion field', JSON.stringify([experiment({ conversion: { type: 'track', nmae: 'x' } })]), /^EXPERIMENTS: 0\.conversion\.nmae/],
  ])('refuses %s, naming the field', (_, raw, message) => {
    expect(() => parseExperiments(raw, 'EXPERIMENTS')).toThrow(message);
  });

  it('refuses a bad list at start-up of either process, naming the variable', () => {
    expect(() => readPipelineConfig({ PIPELINE_EXPERIMENTS: '[{"key":"x"}]' })).toThrow(/^PIPELINE_EXPERIMENTS: 0\.version is required/);
    expect(() => readConfig({ EXPERIMENTS: 'nope' })).toThrow(/^EXPERIMENTS: \(experiments\) is not JSON/);
  });
});

describe('isConversion', () => {
  const base = { schemaVersion: 1, eventId: 'evt-00000001', anonymousId: 'anon-0001', sessionId: 'sess-0001', timestamp: 1_750_000_000_000, page: { url: 'https://shop.example/' } };
  const track = (name: string) => ({ ...base, type: 'track', name }) as SessionflowEvent;
  it('matches the type, and the name when one is configured', () => {
    expect(isConversion(track('add_to_cart'), { type: 'track', name: 'add_to_cart' })).toBe(true);
    expect(isConversion(track('purchase'), { type: 'track', name: 'add_to_cart' })).toBe(false);
    expect(isConversion(track('purchase'), { type: 'track' })).toBe(true);
    expect(isConversion({ ...base, type: 'page_view' } as SessionflowEvent, { type: 'track', name: 'add_to_cart' })).toBe(false);
    expect(isConversion({ ...base, type: 'page_view' } as SessionflowEvent, { type: 'page_view' })).toBe(true);
  });
});

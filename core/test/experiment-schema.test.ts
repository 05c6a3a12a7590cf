import { describe, expect, it } from 'vitest';
import { validateExperiment, validateExperiments } from '../src/experiment/validate.js';
import cases from './cases/experiments.json' with { type: 'json' };

type Obj = Record<string, unknown>;
const build = (over: Obj): Obj => {
  const out: Obj = { ...(cases.base as Obj), ...over };
  // `null` in a case means "leave the field out".
  for (const [k, v] of Object.entries(over)) if (v === null) delete out[k];
  return out;
};

interface InvalidCase {
  name: string;
  over: Obj;
  field: string;
  reason?: string;
}

describe('experiment schema', () => {
  it.each(cases.valid)('accepts $name', ({ over }) => {
    const input = build(over);
    const result = validateExperiment(input);
    expect(result.ok ? [] : result.errors).toEqual([]);
    if (result.ok) expect(result.value).toEqual(input);
  });

  it.each(cases.invalid as InvalidCase[])('refuses $name, naming $field', ({ over, field, reason }) => {
    const result = validateExperiment(build(over));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.field)).toContain(field);
    const named = result.errors.find((e) => e.field === field);
    if (reason !== undefined) expect(named?.reason).toBe(reason);
    for (const error of result.errors) expect(error.reason.length).toBeGreaterThan(3);
  });

  it.each(cases.notObjects)('names the experiment itself when it is $name', ({ input }) => {
    const result = validateExperiment(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.field)).toEqual(['(experiment)']);
  });

  it('names the repeated variant in the reason', () => {
    const result = validateExperiment(build({ variants: [{ name: 'blue', weight: 1 }, { name: 'blue', weight: 1 }] }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toEqual([{ field: 'variants.1.name', reason: expect.stringContaining('"blue"') }]);
  });
});

describe('experiment list', () => {
  const base = cases.base as Obj;

  it('accepts experiments with distinct keys', () => {
    const list = [base, { ...base, key: 'pricing-page' }];
    expect(validateExperiments(list)).toEqual({ ok: true, value: list });
  });

  it('accepts an empty list (no experiments running)', () => {
    expect(validateExperiments([])).toEqual({ ok: true, value: [] });
  });

  it('refuses a repeated key, naming the repeat', () => {
    const result = validateExperiments([base, { ...base, key: 'pricing-page' }, { ...base, version: 2 }]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toEqual([{ field: '2.key', reason: expect.stringContaining('"checkout-cta"') }]);
  });

  it('names the item and field of a bad experiment', () => {
    const result = validateExperiments([base, { ...base, key: 'pricing-page', traffic: 2 }]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.field)).toEqual(['1.traffic']);
  });

  it('names the list itself when it is not an array', () => {
    const result = validateExperiments({ experiments: [base] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.field)).toEqual(['(experiments)']);
  });
});

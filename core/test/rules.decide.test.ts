import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ActionSchema, type Action } from '../src/action/action.js';
import { decide, recordShown, type DecisionContext, type DecisionState } from '../src/rule/decide.js';
import { parseRules } from '../src/rule/parse.js';
import type { RulesDocument } from '../src/rule/schema.js';
import cases from './cases/rules-decide.json' with { type: 'json' };

interface DecideCase {
  name: string;
  rules: unknown[];
  context?: Partial<DecisionContext>;
  state?: Partial<DecisionState>;
  actions: Record<string, unknown>[];
  fired: string[];
}

const base = cases.baseContext as DecisionContext;

function documentOf(rules: unknown[]): RulesDocument {
  const parsed = parseRules({ version: 't', rules });
  if (!parsed.ok) throw new Error(`case rules do not parse: ${JSON.stringify(parsed.errors)}`);
  return parsed.rules;
}

describe('decide', () => {
  it.each(cases.cases as DecideCase[])('$name', ({ rules, context, state, actions, fired }) => {
    const ctx: DecisionContext = { ...base, ...context, signals: { ...base.signals, ...context?.signals } };
    const result = decide(documentOf(rules), ctx, { shown: {}, nowMs: cases.baseNowMs, ...state });
    expect(result.errors).toEqual([]);
    expect(result.actions).toHaveLength(actions.length);
    actions.forEach((expected, i) => expect(result.actions[i]).toMatchObject(expected));
    expect(result.fired).toEqual(fired);
    // Every decision is something the collect response may carry.
    for (const decision of result.actions) expect(v.safeParse(ActionSchema, decision).issues).toBeUndefined();
  });

  it('a decision is a core Action (checked by the compiler too)', () => {
    const { actions } = decide(documentOf([{ id: 'r', priority: 1, when: { '!!': [true] }, actions: [{ kind: 'banner' }] }]), base, { shown: {}, nowMs: 0 });
    const asActions: Action[] = actions;
    expect(asActions.map((a) => a.id)).toEqual(['r:0']);
  });

  it('a condition that cannot be evaluated (a record compared to a number) does not fire and is reported', () => {
    const rules = documentOf([
      { id: 'broken', priority: 2, when: { '>': [{ var: 'signals.categoryIntent' }, 0.5] }, actions: [{ kind: 'banner' }] },
      { id: 'fine', priority: 1, when: { '!!': [true] }, actions: [{ kind: 'banner' }] },
    ]);
    const result = decide(rules, base, { shown: {}, nowMs: 0 });
    expect(result.fired).toEqual(['fine']);
    expect(result.errors).toEqual([{ ruleId: 'broken', reason: expect.stringContaining('not a number') }]);
  });

  it('an operator that is not allowed cannot run even in a document that skipped parseRules', () => {
    const unchecked = { version: 'x', rules: [{ id: 'sneaky', priority: 1, when: { cat: ['a', 'b'] }, actions: [{ kind: 'banner' as const }] }] };
    const result = decide(unchecked, base, { shown: {}, nowMs: 0 });
    expect(result.fired).toEqual([]);
    expect(result.errors).toEqual([{ ruleId: 'sneaky', reason: expect.stringContaining('cat') }]);
  });

  it('does not change the rules, the context or the state it was given', () => {
    const rules = documentOf([{ id: 'r', priority: 1, when: { '!!': [true] }, actions: [{ kind: 'offer', productId: 'sku-1' }] }]);
    const context: DecisionContext = { ...base, inStock: { 'sku-1': true } };
    const state: DecisionState = { shown: { r: { count: 0, lastAt: 5 } }, nowMs: 10 };
    const copies = JSON.stringify([rules, context, state]);
    decide(rules, context, state);
    expect(JSON.stringify([rules, context, state])).toBe(copies);
  });
});

describe('recordShown', () => {
  it('counts each fired rule once more and stamps the time, leaving the others and the input alone', () => {
    const shown = { a: { count: 1, lastAt: 100 }, b: { count: 4, lastAt: 200 } };
    const next = recordShown(shown, ['a', 'c'], 900);
    expect(next).toEqual({ a: { count: 2, lastAt: 900 }, b: { count: 4, lastAt: 200 }, c: { count: 1, lastAt: 900 } });
    expect(shown).toEqual({ a: { count: 1, lastAt: 100 }, b: { count: 4, lastAt: 200 } });
  });

  it('with decide, holds a cap of 2 and a cooldown of 1 minute over a session', () => {
    const rules = documentOf([{ id: 'r', priority: 1, when: { '!!': [true] }, actions: [{ kind: 'banner' }], cap: { perSession: 2 }, cooldownMs: 60_000 }]);
    let shown = {};
    const firedAt: number[] = [];
    // A decision every 20 s for 5 minutes: fires at 0, is cooling at 20 s and 40 s, fires at 60 s, then the cap holds.
    for (let t = 0; t <= 300_000; t += 20_000) {
      const { fired } = decide(rules, base, { shown, nowMs: t });
      if (fired.length > 0) firedAt.push(t);
      shown = recordShown(shown, fired, t);
    }
    expect(firedAt).toEqual([0, 60_000]);
  });
});

describe('the context type', () => {
  // signalsOf returns an interface; an interface has no index signature, so this checks the context accepts one.
  interface LikeSessionSignals {
    productViews: number;
    topCategory: string;
    categoryIntent: Record<string, number>;
  }

  it('takes signals declared as an interface', () => {
    const signals: LikeSessionSignals = { productViews: 3, topCategory: 'lighting', categoryIntent: { lighting: 1 } };
    const rules = documentOf([{ id: 'r', priority: 1, when: { '>=': [{ var: 'signals.categoryIntent.lighting' }, 1] }, actions: [{ kind: 'banner' }] }]);
    expect(decide(rules, { signals, page: base.page, variants: {} }, { shown: {}, nowMs: 0 }).fired).toEqual(['r']);
  });
});

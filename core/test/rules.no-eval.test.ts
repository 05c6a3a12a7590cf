/**
 * workerd refuses eval and new Function. This replaces both with stubs that
 * record and throw, then loads and evaluates rules using every allowed
 * operator: nothing may reach either (json-logic-engine even swallows an eval
 * failure in one place, hence the record and not only the throw).
 */
import { LogicEngine } from 'json-logic-engine';
import { afterEach, describe, expect, it } from 'vitest';
import { decide, type DecisionContext } from '../src/rule/decide.js';
import { parseRules } from '../src/rule/parse.js';
import { ALLOWED_OPERATORS } from '../src/rule/operators.js';
import { forbidCodeGeneration, restoreCodeGeneration } from './support/code-generation.js';

afterEach(restoreCodeGeneration);

const productViews = { var: 'signals.productViews' };
const topCategory = { var: 'signals.topCategory' };
const tags = { var: 'profile.tags' };

/** Each true for the context below (productViews 3, topCategory lighting, bounceRisk 0.2, cartItems 0, tags new+vip). */
const conditions: Record<string, unknown> = {
  var: { '!!': [productViews] },
  '==': { '==': [productViews, 3] },
  '!=': { '!=': [topCategory, 'kitchen'] },
  '===': { '===': [topCategory, 'lighting'] },
  '!==': { '!==': [{ var: 'signals.cartItems' }, '0'] },
  '<': { '<': [{ var: 'signals.bounceRisk' }, 0.5] },
  '<=': { '<=': [0, { var: 'signals.bounceRisk' }, 1] },
  '>': { '>': [productViews, 2] },
  '>=': { '>=': [productViews, 3] },
  and: { and: [true, productViews] },
  or: { or: [false, topCategory] },
  '!': { '!': [{ var: 'signals.cartItems' }] },
  '!!': { '!!': [topCategory] },
  in: { in: ['light', topCategory] },
  '+': { '==': [{ '+': [productViews, 1] }, 4] },
  '-': { '==': [{ '-': [productViews, 1] }, 2] },
  '*': { '==': [{ '*': [productViews, 2] }, 6] },
  '/': { '==': [{ '/': [productViews, 3] }, 1] },
  max: { '==': [{ max: [productViews, 7] }, 7] },
  min: { '==': [{ min: [productViews, 7] }, 3] },
  some: { some: [tags, { '==': [{ var: '' }, 'vip'] }] },
  all: { all: [tags, { in: [{ var: '' }, ['new', 'vip']] }] },
  none: { none: [tags, { '==': [{ var: '' }, 'banned'] }] },
};

const context: DecisionContext = {
  signals: { productViews: 3, topCategory: 'lighting', bounceRisk: 0.2, cartItems: 0 },
  profile: { tags: ['new', 'vip'] },
  page: { url: 'http://127.0.0.1:8080/p/sku-1003', path: '/p/sku-1003', productId: 'sku-1003' },
  variants: {},
  inStock: { 'sku-1003': true },
};

describe('rules without eval or new Function', () => {
  it('loads and decides rules using every allowed operator', () => {
    expect(Object.keys(conditions).sort()).toEqual([...ALLOWED_OPERATORS].sort());
    // Fresh objects, built here, so the engine prepares them while the stubs are in place.
    const rules = Object.values(conditions).map((when, i) => ({ id: `op${i}`, priority: 1, when, actions: [{ kind: 'banner', slot: `s${i}` }] }));
    rules.push({ id: 'offer', priority: 1, when: { '!!': [true] }, actions: [{ kind: 'offer', productId: { var: 'page.productId' } } as never] });

    const trap = forbidCodeGeneration();
    const parsed = parseRules({ version: 'no-eval', rules });
    const result = parsed.ok ? decide(parsed.rules, context, { shown: {}, nowMs: 0 }) : undefined;
    const again = parsed.ok ? decide(parsed.rules, context, { shown: {}, nowMs: 1 }) : undefined;
    trap.restore();

    expect(trap.calls).toEqual([]);
    expect(parsed.ok).toBe(true);
    expect(result?.errors).toEqual([]);
    expect(result?.fired).toEqual(rules.map((r) => r.id));
    expect(result?.actions.find((a) => a.kind === 'offer')?.productId).toBe('sku-1003');
    expect(again?.fired).toEqual(result?.fired);
  });

  it('the stubs do catch code generation: the engine\'s build path is refused under them', () => {
    const trap = forbidCodeGeneration();
    let built: unknown;
    try {
      built = new LogicEngine().build({ '==': [{ var: 'a' }, 1] });
    } catch {
      built = undefined;
    }
    trap.restore();
    expect(built).toBeUndefined();
    expect(trap.calls.length).toBeGreaterThan(0);
  });
});

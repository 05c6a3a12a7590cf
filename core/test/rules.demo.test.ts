import { describe, expect, it } from 'vitest';
import { decide, recordShown, type DecisionContext } from '../src/rule/decide.js';
import { DEMO_RULES } from '../src/rule/demo-rules.js';
import { parseRules } from '../src/rule/parse.js';
import type { RulesDocument } from '../src/rule/schema.js';

// A session as signalsOf describes it: keys from the issue 4 contract.
const quietSession = {
  sessionDuration: 40_000,
  activeDwell: 30_000,
  scrollDepth: 40,
  interactionFrequency: 2,
  engagementIntensity: 0.3,
  categoryIntent: {} as Record<string, number>,
  topCategory: '',
  topCategoryShare: 0,
  productViews: 0,
  cartItems: 0,
  behaviouralDeviation: 0,
  cartAbandonmentRisk: 0,
  bounceRisk: 0.4,
};
const home = { url: 'http://127.0.0.1:8080/', path: '/' };
const productPage = { url: 'http://127.0.0.1:8080/?product=sku-1001', path: '/', productId: 'sku-1001', category: 'lighting' };

function demo(): RulesDocument {
  const parsed = parseRules(DEMO_RULES);
  if (!parsed.ok) throw new Error(`demo rules do not parse: ${JSON.stringify(parsed.errors)}`);
  return parsed.rules;
}

const at = (signals: Partial<typeof quietSession>, rest: Partial<DecisionContext> = {}): DecisionContext => ({
  signals: { ...quietSession, ...signals },
  page: home,
  variants: {},
  ...rest,
});

const ids = (context: DecisionContext, shown = {}) => decide(demo(), context, { shown, nowMs: 1_700_000_000_000 }).actions.map((a) => a.id);

describe('the demo rules', () => {
  it('parse', () => {
    expect(parseRules(DEMO_RULES)).toMatchObject({ ok: true, rules: { version: 'demo-1' } });
  });

  it('show nothing to a quiet session on the home page', () => {
    expect(ids(at({}))).toEqual([]);
  });

  describe('category banner once intent builds', () => {
    it('three lighting views (share 1) bring the lighting banner', () => {
      const { actions } = decide(demo(), at({ productViews: 3, topCategory: 'lighting', topCategoryShare: 1, categoryIntent: { lighting: 1 } }), { shown: {}, nowMs: 0 });
      expect(actions).toMatchObject([{ id: 'category-banner.lighting:0', kind: 'banner', slot: 'banner', href: '/c/lighting' }]);
    });

    it('two views are not yet intent', () => {
      expect(ids(at({ productViews: 2, topCategory: 'lighting', topCategoryShare: 1 }))).toEqual([]);
    });

    it('four views split 2/1/1 (top share 0.5 < 0.6) are not intent', () => {
      expect(ids(at({ productViews: 4, topCategory: 'kitchen', topCategoryShare: 0.5 }))).toEqual([]);
    });

    it('five views, 3 of them plants (share 0.6), bring the plants banner', () => {
      expect(ids(at({ productViews: 5, topCategory: 'plants', topCategoryShare: 0.6 }))).toEqual(['category-banner.plants:0']);
    });

    it('shows once per session', () => {
      const context = at({ productViews: 3, topCategory: 'lighting', topCategoryShare: 1 });
      const first = decide(demo(), context, { shown: {}, nowMs: 0 });
      const shown = recordShown({}, first.fired, 0);
      expect(decide(demo(), context, { shown, nowMs: 60_000 }).actions).toEqual([]);
    });
  });

  describe('cart-abandonment offer', () => {
    const leaving = { cartItems: 2, cartAbandonmentRisk: 0.8 };

    it('is made when the cart holds items, the risk is 0.8 >= 0.7 and the product is in stock', () => {
      const { actions } = decide(demo(), at(leaving, { inStock: { 'sku-1005': true } }), { shown: {}, nowMs: 0 });
      expect(actions).toMatchObject([{ id: 'cart-abandonment-offer:0', kind: 'offer', slot: 'offer', productId: 'sku-1005' }]);
    });

    it('is not made when the product is out of stock', () => {
      expect(ids(at(leaving, { inStock: { 'sku-1005': false } }))).toEqual([]);
    });

    it('is not made at risk 0.6', () => {
      expect(ids(at({ ...leaving, cartAbandonmentRisk: 0.6 }, { inStock: { 'sku-1005': true } }))).toEqual([]);
    });

    it('is not made with an empty cart, whatever the risk says', () => {
      expect(ids(at({ cartItems: 0, cartAbandonmentRisk: 0.9 }, { inStock: { 'sku-1005': true } }))).toEqual([]);
    });
  });

  describe('recommendations on product pages', () => {
    it('outside the recs-strategy experiment: similar products', () => {
      const { actions } = decide(demo(), at({}, { page: productPage }), { shown: {}, nowMs: 0 });
      expect(actions).toMatchObject([{ id: 'product-recs.default:0', kind: 'recs', slot: 'recs', strategy: 'similar' }]);
      expect(actions[0]?.experiment).toBeUndefined();
    });

    it('in the popular variant: popular products, tagged with the experiment and variant', () => {
      const { actions } = decide(demo(), at({}, { page: productPage, variants: { 'recs-strategy': 'popular' } }), { shown: {}, nowMs: 0 });
      expect(actions).toMatchObject([{ id: 'product-recs.popular:0', strategy: 'popular', experiment: 'recs-strategy', variant: 'popular' }]);
    });

    it('in the similar variant: similar products, tagged with the variant', () => {
      const { actions } = decide(demo(), at({}, { page: productPage, variants: { 'recs-strategy': 'similar' } }), { shown: {}, nowMs: 0 });
      expect(actions).toMatchObject([{ id: 'product-recs.similar:0', strategy: 'similar', variant: 'similar' }]);
    });

    it('in the holdout: the default recommendations, not a variant', () => {
      expect(ids(at({}, { page: productPage, variants: { 'recs-strategy': 'holdout' } }))).toEqual(['product-recs.default:0']);
    });

    it('not on the home page', () => {
      expect(ids(at({}, { variants: { 'recs-strategy': 'popular' } }))).toEqual([]);
    });
  });

  it('all three at once, each in its own slot, offer first (priority 40, 30, 10)', () => {
    const context = at(
      { productViews: 3, topCategory: 'lighting', topCategoryShare: 1, cartItems: 1, cartAbandonmentRisk: 0.9 },
      { page: productPage, inStock: { 'sku-1005': true } },
    );
    expect(ids(context)).toEqual(['cart-abandonment-offer:0', 'category-banner.lighting:0', 'product-recs.default:0']);
  });
});

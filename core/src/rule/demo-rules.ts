/**
 * The storefront's rules (demo-site's catalog: lighting, furniture, kitchen,
 * textiles, plants). Conditions read the keys of `signalsOf` under `signals`.
 * This is the document `rules:push` publishes; JSON.stringify gives the KV value.
 */
import type { Rule, RulesDocument } from './schema.js';

const CATEGORY_BANNERS: ReadonlyArray<{ category: string; title: string; text: string }> = [
  { category: 'lighting', title: 'Light up your evenings', text: 'Lamps you keep coming back to, and the rest of the lighting collection.' },
  { category: 'furniture', title: 'Pieces that stay', text: 'Solid wood furniture, finished by hand: see the whole collection.' },
  { category: 'kitchen', title: 'Cook with what lasts', text: 'Cast iron and stoneware for every day: see the kitchen collection.' },
  { category: 'textiles', title: 'Soft things for cold days', text: 'Wool and linen, woven to last: see the textiles collection.' },
  { category: 'plants', title: 'Bring the outside in', text: 'Plants that forgive a missed watering: see them all.' },
];

/** Intent has built when one category holds at least 60% of at least three product views. */
function categoryBanner({ category, title, text }: (typeof CATEGORY_BANNERS)[number]): Rule {
  return {
    id: `category-banner.${category}`,
    description: `Banner for ${category} once the session's product views lean to it`,
    priority: 30,
    when: {
      and: [
        { '==': [{ var: 'signals.topCategory' }, category] },
        { '>=': [{ var: 'signals.topCategoryShare' }, 0.6] },
        { '>=': [{ var: 'signals.productViews' }, 3] },
      ],
    },
    actions: [{ kind: 'banner', title, text, href: `/c/${category}`, cta: `Shop ${category}` }],
    cap: { perSession: 1 },
  };
}

const ON_PRODUCT_PAGE = { '!!': [{ var: 'page.productId' }] };

export const DEMO_RULES: RulesDocument = {
  version: 'demo-1',
  rules: [
    {
      id: 'cart-abandonment-offer',
      description: 'Something in the cart, no purchase, and the visitor idles or moves to leave: an add-on offer, if it is in stock',
      priority: 40,
      when: {
        and: [{ '>': [{ var: 'signals.cartItems' }, 0] }, { '>=': [{ var: 'signals.cartAbandonmentRisk' }, 0.7] }],
      },
      actions: [
        {
          kind: 'offer',
          slot: 'offer',
          productId: 'sku-1005',
          title: 'Before you go',
          text: 'Complete your order today and add the Stoneware Mug Set at 20% off.',
          href: '/p/sku-1005',
          cta: 'Add the mugs',
        },
      ],
      cap: { perSession: 2 },
      cooldownMs: 10 * 60 * 1000,
    },
    ...CATEGORY_BANNERS.map(categoryBanner),
    {
      id: 'product-recs.similar',
      description: 'Experiment recs-strategy, variant similar: products like the one on the page',
      priority: 20,
      when: ON_PRODUCT_PAGE,
      actions: [{ kind: 'recs', slot: 'recs', title: 'Similar pieces', strategy: 'similar', limit: 4 }],
      experiment: { key: 'recs-strategy', variant: 'similar' },
    },
    {
      id: 'product-recs.popular',
      description: 'Experiment recs-strategy, variant popular: what sells best',
      priority: 20,
      when: ON_PRODUCT_PAGE,
      actions: [{ kind: 'recs', slot: 'recs', title: 'Popular right now', strategy: 'popular', limit: 4 }],
      experiment: { key: 'recs-strategy', variant: 'popular' },
    },
    {
      id: 'product-recs.default',
      description: 'Units outside the recs-strategy experiment (or in its holdout) get similar products',
      priority: 10,
      when: ON_PRODUCT_PAGE,
      actions: [{ kind: 'recs', slot: 'recs', title: 'You may also like', strategy: 'similar', limit: 4 }],
    },
  ],
};

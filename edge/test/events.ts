import { assign, validateExperiments } from '@sessionflow/core';
import { env } from 'cloudflare:workers';
/** Realistic events as the SDK sends them. */
const common = () => ({
  schemaVersion: 1,
  eventId: crypto.randomUUID(),
  anonymousId: 'anon-3f2c9a71',
  sessionId: 'sess-8d41be02',
  timestamp: 1_767_225_600_000,
  page: { url: 'http://localhost:8080/products', referrer: '', title: 'Products' },
});

export function pageView(): Record<string, unknown> {
  return { ...common(), type: 'page_view' };
}

export function productClick(productId = 'sku-espresso-cup'): Record<string, unknown> {
  return { ...common(), type: 'click', element: { tag: 'button', text: 'Add to cart' }, product: { id: productId, category: 'kitchen' } };
}

/** A fresh visitor per test: objects keep their state across tests. */
export const newVisitor = (): string => `anon-${crypto.randomUUID()}`;

/** One event of `anonymousId`'s session as the SDK sends it, at `timestamp`, with `extra` fields. */
export function visitorEvent(anonymousId: string, type: string, timestamp: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 1,
    eventId: crypto.randomUUID(),
    anonymousId,
    sessionId: 'sess-from-the-sdk',
    timestamp,
    page: { url: 'http://localhost:8080/?category=lighting', referrer: '', title: 'Shop', pageViewId: 'pv-00000001' },
    type,
    ...extra,
  };
}

/** A click on a product card: what the storefront counts as a product view. */
export const viewClick = (event: (type: string, extra: Record<string, unknown>) => Record<string, unknown>, id: string, category: string) =>
  event('click', { element: { tag: 'button', text: 'View' }, product: { id, category } });

/** The variant of experiment `key` (wrangler.toml's EXPERIMENTS) a visitor is bucketed into. */
export function variantOf(visitor: string, key: string): string | undefined {
  const parsed = validateExperiments(JSON.parse(env.EXPERIMENTS as string));
  if (!parsed.ok) throw new Error('wrangler.toml EXPERIMENTS must be valid');
  return assign(parsed.value.find((e) => e.key === key)!, visitor)?.variant;
}

/** A fresh visitor whose `recs-strategy` variant is `similar`: its recommendations are its own list, not popularity. */
export function similarVisitor(): string {
  for (;;) {
    const id = newVisitor();
    if (variantOf(id, 'recs-strategy') === 'similar') return id;
  }
}

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

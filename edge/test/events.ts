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

/**
 * Realistic events for load: the mix a storefront sends (page views, clicks,
 * scrolls, impressions, add-to-cart), each about 400 bytes of JSON.
 */
import { randomUUID } from 'node:crypto';
import { SCHEMA_VERSION, type SessionflowEvent } from '@sessionflow/core';

const categories = ['shoes', 'jackets', 'bags', 'watches', 'outdoor'];

export interface LoadVisitor {
  anonymousId: string;
  sessionId: string;
  seq: number;
}

export function newLoadVisitor(): LoadVisitor {
  return { anonymousId: randomUUID(), sessionId: randomUUID(), seq: 0 };
}

export function loadEvent(visitor: LoadVisitor, i: number): SessionflowEvent {
  const category = categories[i % categories.length]!;
  const productId = `sku-${1000 + (i % 97)}`;
  const common = {
    schemaVersion: SCHEMA_VERSION,
    eventId: randomUUID(),
    anonymousId: visitor.anonymousId,
    sessionId: visitor.sessionId,
    timestamp: Date.now(),
    seq: visitor.seq++,
    page: {
      url: `https://shop.example.com/c/${category}/${productId}?utm_source=newsletter&utm_medium=email`,
      referrer: 'https://shop.example.com/search?q=waterproof+trail+running+shoes',
      title: `Product ${productId} in ${category} — Example Shop`,
      pageViewId: visitor.sessionId.slice(0, 24) + String(i % 5),
    },
  };
  switch (i % 5) {
    case 0:
      return { ...common, type: 'page_view' };
    case 1:
      return {
        ...common,
        type: 'click',
        element: { tag: 'button', selector: 'main>section.grid>article.card>button.add', text: 'Add to cart' },
        product: { id: productId, category, slot: 'grid' },
      };
    case 2:
      return { ...common, type: 'scroll', depth: 25 * ((i % 4) + 1) };
    case 3:
      return { ...common, type: 'impression', product: { id: productId, category, slot: 'recs' } };
    default:
      return { ...common, type: 'track', name: 'add_to_cart', props: { productId, price: 89.9, currency: 'EUR', quantity: 1 } };
  }
}

export function loadBatch(visitor: LoadVisitor, size: number): SessionflowEvent[] {
  return Array.from({ length: size }, () => loadEvent(visitor, visitor.seq));
}

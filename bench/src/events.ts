/**
 * Realistic events for load: the mix a storefront sends (page views, clicks,
 * scrolls, impressions, add-to-cart), about 400 bytes of JSON each on average.
 */
import { randomUUID } from 'node:crypto';
import { SCHEMA_VERSION, type SessionflowEvent } from '@sessionflow/core';

const categories = ['shoes', 'jackets', 'bags', 'watches', 'outdoor'];

export interface LoadVisitor {
  anonymousId: string;
  sessionId: string;
  pageViewId: string;
  seq: number;
  /** Where its requests come from (`CF-Connecting-IP`): each visitor its own client, as on a real site. */
  clientIp: string;
}

let visitors = 0;

export function newLoadVisitor(): LoadVisitor {
  return { anonymousId: randomUUID(), sessionId: randomUUID(), pageViewId: randomUUID(), seq: 0, clientIp: benchClientIp(visitors++) };
}

/**
 * The `index`th address of the benchmarking range 198.18.0.0/15, for a simulated
 * visitor's `CF-Connecting-IP`: the edge's per-client limit then counts each
 * visitor apart. Locally the header is taken as sent; on Cloudflare the platform sets it.
 */
export function benchClientIp(index: number): string {
  return `198.${18 + ((index >> 16) & 1)}.${(index >> 8) & 255}.${index & 255}`;
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
      url: `https://shop.example.com/p/${productId}`,
      referrer: `https://shop.example.com/c/${category}`,
      pageViewId: visitor.pageViewId,
    },
  };
  switch (i % 5) {
    case 0:
      return { ...common, type: 'page_view' };
    case 1:
      return {
        ...common,
        type: 'click',
        element: { tag: 'button', selector: 'button.add', text: 'Add to cart' },
        product: { id: productId, category, slot: 'grid' },
      };
    case 2:
      return { ...common, type: 'scroll', depth: 25 * ((i % 4) + 1) };
    case 3:
      return { ...common, type: 'impression', product: { id: productId, category, slot: 'recs' } };
    default:
      return { ...common, type: 'track', name: 'add_to_cart', props: { productId, price: 89.9, currency: 'EUR' } };
  }
}

export function loadBatch(visitor: LoadVisitor, size: number): SessionflowEvent[] {
  return Array.from({ length: size }, () => loadEvent(visitor, visitor.seq));
}

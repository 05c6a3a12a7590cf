/** Realistic events for tests that post to the edge or collector directly. */
import { randomUUID } from 'node:crypto';
import { SCHEMA_VERSION, type SessionflowEvent } from '@sessionflow/core';

export interface Visitor {
  anonymousId: string;
  sessionId: string;
}

export function newVisitor(): Visitor {
  return { anonymousId: randomUUID(), sessionId: randomUUID() };
}

export function pageView(visitor: Visitor, url = 'https://shop.example/products/sku-1002'): SessionflowEvent {
  return {
    schemaVersion: SCHEMA_VERSION,
    type: 'page_view',
    eventId: randomUUID(),
    anonymousId: visitor.anonymousId,
    sessionId: visitor.sessionId,
    timestamp: Date.now(),
    page: { url, referrer: 'https://search.example/?q=trail+shoes', title: 'Trail runner — Sessionflow demo', pageViewId: randomUUID() },
  };
}

export function productClick(visitor: Visitor, productId: string): SessionflowEvent {
  return {
    schemaVersion: SCHEMA_VERSION,
    type: 'click',
    eventId: randomUUID(),
    anonymousId: visitor.anonymousId,
    sessionId: visitor.sessionId,
    timestamp: Date.now(),
    page: { url: 'https://shop.example/', referrer: '', pageViewId: randomUUID() },
    element: { tag: 'button', selector: 'main>article.product>button.add', text: 'Add to cart' },
    product: { id: productId, category: 'shoes' },
  };
}

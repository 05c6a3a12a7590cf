/**
 * The funnel's steps and which event is which, read the way core's open
 * session reads them (visit/fold.ts) and the product signals do (signals.ts):
 * a product view is a click on a product or a `product_view` track naming one;
 * an add to cart and a purchase are those tracks.
 */
import { PRODUCT_VIEW_TRACK, type SessionflowEvent } from '@sessionflow/core';
import { productSignals } from '../signals.js';

export const FUNNEL_STEPS = ['page_view', 'product_view', 'add_to_cart', 'purchase'] as const;
export type FunnelStep = (typeof FUNNEL_STEPS)[number];

export function funnelStep(event: SessionflowEvent): FunnelStep | undefined {
  switch (event.type) {
    case 'page_view':
      return 'page_view';
    case 'click':
      return productSignals(event).length > 0 ? 'product_view' : undefined;
    case 'track':
      if (event.name === PRODUCT_VIEW_TRACK) return productSignals(event).length > 0 ? 'product_view' : undefined;
      if (event.name === 'add_to_cart' || event.name === 'purchase') return event.name;
      return undefined;
    default:
      return undefined;
  }
}

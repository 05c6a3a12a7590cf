/**
 * What an event says about products: a view (a click on a product the page
 * declared with `data-sf-product`, or a `product_view` track), an add to cart,
 * a purchase. The same readings as core's open session (visit/fold.ts), so the
 * edge and the pipeline agree on what counts as a product view.
 *
 * Weights: an add to cart says more about intent than a view and a purchase
 * most; 1 / 3 / 5 keeps a handful of views able to outrank one purchase, so a
 * new product that draws attention rises quickly. Impressions count nothing:
 * they are what the page showed, not what the visitor chose.
 */
import { PRODUCT_VIEW_TRACK, nameOf, nameProp, type SessionflowEvent } from '@sessionflow/core';

export type ProductSignalKind = 'view' | 'cart' | 'purchase';

export const SIGNAL_WEIGHTS: Readonly<Record<ProductSignalKind, number>> = Object.freeze({ view: 1, cart: 3, purchase: 5 });

export interface ProductSignal {
  kind: ProductSignalKind;
  productId: string;
  /** The category when the event names it; otherwise the catalog's is used. */
  category?: string;
}

type Props = Readonly<Record<string, unknown>> | undefined;

export function productSignals(event: SessionflowEvent): ProductSignal[] {
  if (event.type === 'click') {
    return event.product ? [signal('view', event.product.id, event.product.category)] : [];
  }
  if (event.type !== 'track') return [];
  switch (event.name) {
    case PRODUCT_VIEW_TRACK:
      return one('view', event.props);
    case 'add_to_cart':
      return one('cart', event.props);
    case 'purchase':
      return purchasedIds(event.props).map((id) => signal('purchase', id, undefined));
    default:
      return [];
  }
}

function one(kind: ProductSignalKind, props: Props): ProductSignal[] {
  const id = nameProp(props, 'productId');
  return id === undefined ? [] : [signal(kind, id, nameProp(props, 'category'))];
}

/** A purchase names its products as `productId`, `productIds: [...]` or `items: [{ productId }]`; each counts once. */
function purchasedIds(props: Props): string[] {
  const ids = new Set<string>();
  const single = nameProp(props, 'productId');
  if (single !== undefined) ids.add(single);
  const many = props?.['productIds'];
  if (Array.isArray(many)) for (const id of many.slice(0, 100)) addName(ids, id);
  const items = props?.['items'];
  if (Array.isArray(items)) {
    for (const item of items.slice(0, 100)) {
      if (item !== null && typeof item === 'object') addName(ids, (item as Record<string, unknown>)['productId']);
    }
  }
  return [...ids];
}

function signal(kind: ProductSignalKind, productId: string, category: string | undefined): ProductSignal {
  return category === undefined ? { kind, productId } : { kind, productId, category };
}

function addName(ids: Set<string>, value: unknown): void {
  const name = nameOf(value);
  if (name !== undefined) ids.add(name);
}



/**
 * The product a click was about, declared by the page with `data-sf-product`,
 * `data-sf-category` and `data-sf-slot` on the element or any ancestor.
 */
import type { ProductRef } from '@sessionflow/core';

const MAX_NAME = 128;

export function productOf(el: Element): ProductRef | undefined {
  const id = nearest(el, 'data-sf-product');
  if (id === undefined) return undefined;
  const product: ProductRef = { id };
  const category = nearest(el, 'data-sf-category');
  if (category !== undefined) product.category = category;
  const slot = nearest(el, 'data-sf-slot');
  if (slot !== undefined) product.slot = slot;
  return product;
}

/** Each attribute is looked up on its own: a category may sit on a section around many product cards. */
function nearest(el: Element, attribute: string): string | undefined {
  const value = el.closest(`[${attribute}]`)?.getAttribute(attribute)?.trim().slice(0, MAX_NAME);
  return value === undefined || value === '' ? undefined : value;
}

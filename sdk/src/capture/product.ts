/**
 * The product a click was about, declared by the page with `data-sf-product`,
 * `data-sf-category` and `data-sf-slot` on the element or any ancestor.
 */
import type { ProductRef } from '@sessionflow/core';

const MAX_NAME = 128;

/** A `category` or `slot` the page does not declare is left undefined; serialising the batch drops it. */
export function productOf(el: Element): ProductRef | undefined {
  const id = nearest(el, 'data-sf-product');
  return id === undefined ? undefined : { id, category: nearest(el, 'data-sf-category'), slot: nearest(el, 'data-sf-slot') };
}

/** Each attribute is looked up on its own: a category may sit on a section around many product cards. */
function nearest(el: Element, attribute: string): string | undefined {
  const value = el.closest(`[${attribute}]`)?.getAttribute(attribute)?.trim().slice(0, MAX_NAME);
  return value === undefined || value === '' ? undefined : value;
}

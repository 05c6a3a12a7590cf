/** Click capture: one capture-phase listener on the document sees every click, even ones a page stops. */
import type { ElementDescriptor, ProductRef } from '@sessionflow/core';
import { actionableElement, describeElement } from './element.js';
import { productOf } from './product.js';

export interface ClickDescriptor {
  element: ElementDescriptor;
  product?: ProductRef | undefined;
}

/** Off a product element `product` is undefined, and serialising the batch drops it. */
export function describeClick(target: Element): ClickDescriptor {
  return { element: describeElement(actionableElement(target)), product: productOf(target) };
}

/** Calls `onClick` for each click until `signal` aborts. */
export function captureClicks(doc: Document, signal: AbortSignal, onClick: (click: ClickDescriptor) => void): void {
  const listener = (event: Event) => {
    let target = event.target;
    // From inside an open shadow root the event reaches the document retargeted to its host; the real
    // target is first in the path (asked for only then: it is an array of the whole path, made per call).
    if ((target as Element | null)?.shadowRoot) target = event.composedPath()[0]!;
    if (!isElement(target)) return;
    onClick(describeClick(target));
  };
  doc.addEventListener('click', listener, { capture: true, passive: true, signal });
}

function isElement(target: EventTarget | null | undefined): target is Element {
  return typeof target === 'object' && target !== null && (target as Node).nodeType === 1;
}

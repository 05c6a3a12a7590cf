/**
 * Product impressions: an element carrying `data-sf-product` counts as seen
 * when at least half of it stays in view for a full second, once per product
 * per page view. Products added to the page later (lazy lists, rendered
 * recommendations) are picked up by a MutationObserver. Without
 * IntersectionObserver (very old browsers) nothing is reported.
 */
import type { ProductRef } from '@sessionflow/core';
import { productOf } from './product.js';

export const IMPRESSION_RATIO = 0.5;
export const IMPRESSION_MS = 1000;
const PRODUCT = '[data-sf-product]';

export interface ImpressionOptions {
  /** Defaults to the window's; tests pass a fake. */
  IntersectionObserver?: typeof IntersectionObserver;
}

/** Half visible or more. Entries below the threshold arrive with isIntersecting true at ratio 0 too, hence both checks. */
export function inView(entry: Pick<IntersectionObserverEntry, 'isIntersecting' | 'intersectionRatio'>): boolean {
  return entry.isIntersecting && entry.intersectionRatio >= IMPRESSION_RATIO;
}

/** Watches until `signal` aborts; returns the reset for a new page view (every product may count again). */
export function captureImpressions(
  win: Window & typeof globalThis,
  signal: AbortSignal,
  onImpression: (product: ProductRef) => void,
  options: ImpressionOptions = {},
): () => void {
  const Observer = options.IntersectionObserver ?? win.IntersectionObserver;
  if (!Observer) return () => {};
  let seen = new Set<string>();
  /** The pending second of each element in view. */
  const timers = new Map<Element, ReturnType<typeof setTimeout>>();
  const cancel = (el: Element) => {
    clearTimeout(timers.get(el));
    timers.delete(el);
  };
  const cancelAll = () => timers.forEach((_, el) => cancel(el));
  const observer = new Observer(
    (entries) =>
      entries.forEach((entry) => {
        const el = entry.target;
        const product = productOf(el);
        if (!product || seen.has(product.id)) observer.unobserve(el);
        if (!product || seen.has(product.id) || !inView(entry)) return cancel(el);
        if (!timers.has(el)) {
          timers.set(
            el,
            setTimeout(() => {
              timers.delete(el);
              observer.unobserve(el);
              if (!seen.has(product.id)) onImpression(product);
              seen.add(product.id);
            }, IMPRESSION_MS),
          );
        }
      }),
    { threshold: IMPRESSION_RATIO },
  );
  const observe = (root: Element | Document) => {
    if ((root as Element).matches?.(PRODUCT)) observer.observe(root as Element);
    root.querySelectorAll(PRODUCT).forEach((el) => observer.observe(el));
  };
  const added = new MutationObserver((records) => records.forEach((record) => record.addedNodes.forEach((node) => node.nodeType === 1 && observe(node as Element))));
  const doc = win.document;
  observe(doc);
  added.observe(doc.documentElement, { childList: true, subtree: true });
  signal.addEventListener('abort', () => {
    cancelAll();
    observer.disconnect();
    added.disconnect();
  });
  return () => {
    cancelAll();
    seen = new Set();
    // Observing afresh makes the observer report what is in view right now.
    observer.disconnect();
    observe(doc);
  };
}

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
  const doc = win.document;
  const Observer = options.IntersectionObserver ?? win.IntersectionObserver;
  if (typeof Observer !== 'function') return () => {};
  let seen = new Set<string>();
  const timers = new Map<Element, number>();
  const cancel = (el: Element) => {
    win.clearTimeout(timers.get(el));
    timers.delete(el);
  };
  const observer = new Observer(
    (entries) => {
      for (const { target, isIntersecting, intersectionRatio } of entries) {
        const product = productOf(target);
        if (product === undefined || seen.has(product.id)) {
          cancel(target);
          observer.unobserve(target);
        } else if (!inView({ isIntersecting, intersectionRatio })) {
          cancel(target);
        } else if (!timers.has(target)) {
          timers.set(
            target,
            win.setTimeout(() => {
              timers.delete(target);
              observer.unobserve(target);
              if (seen.has(product.id)) return;
              seen.add(product.id);
              onImpression(product);
            }, IMPRESSION_MS),
          );
        }
      }
    },
    { threshold: IMPRESSION_RATIO },
  );
  const observe = (root: ParentNode) => root.querySelectorAll(PRODUCT).forEach((el) => observer.observe(el));
  const added = new win.MutationObserver((records) => {
    for (const record of records) {
      record.addedNodes.forEach((node) => {
        if (node.nodeType !== 1) return;
        if ((node as Element).matches(PRODUCT)) observer.observe(node as Element);
        observe(node as Element);
      });
    }
  });
  const stopTimers = () => {
    timers.forEach((timer) => win.clearTimeout(timer));
    timers.clear();
  };
  observe(doc);
  added.observe(doc.documentElement, { childList: true, subtree: true });
  signal.addEventListener('abort', () => {
    stopTimers();
    observer.disconnect();
    added.disconnect();
  });
  return () => {
    stopTimers();
    seen = new Set();
    // Observing afresh makes the observer report what is in view right now.
    observer.disconnect();
    observe(doc);
  };
}

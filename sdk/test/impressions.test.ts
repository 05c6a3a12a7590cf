// @vitest-environment happy-dom
import type { ProductRef } from '@sessionflow/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureImpressions, inView } from '../src/capture/impressions.js';

/** Stands in for IntersectionObserver: the test says what is in view. */
class FakeIntersectionObserver {
  static last: FakeIntersectionObserver | undefined;
  readonly observed = new Set<Element>();
  options: IntersectionObserverInit | undefined;

  constructor(
    private readonly callback: IntersectionObserverCallback,
    options?: IntersectionObserverInit,
  ) {
    this.options = options;
    FakeIntersectionObserver.last = this;
  }
  observe(el: Element) {
    this.observed.add(el);
  }
  unobserve(el: Element) {
    this.observed.delete(el);
  }
  disconnect() {
    this.observed.clear();
  }
  takeRecords() {
    return [];
  }
  /** Reports `ratio` for each element, as the browser would after a scroll; only for observed ones. */
  show(ratio: number, ...els: Element[]) {
    const entries = els
      .filter((el) => this.observed.has(el))
      .map((target) => ({ target, isIntersecting: ratio > 0, intersectionRatio: ratio }) as IntersectionObserverEntry);
    if (entries.length > 0) this.callback(entries, this as unknown as IntersectionObserver);
  }
}

let lifetime: AbortController;
let reset: () => void;
let seen: ProductRef[];

const card = (id: string) => document.getElementById(id)!;
const io = () => FakeIntersectionObserver.last!;
// The MutationObserver reports additions in a microtask.
const settle = () => Promise.resolve();

beforeEach(() => {
  vi.useFakeTimers();
  seen = [];
  document.body.innerHTML = `
    <section data-sf-category="lamps" data-sf-slot="grid">
      <article id="a" data-sf-product="sku-1001"><h3>Desk lamp</h3></article>
      <article id="b" data-sf-product="sku-1002"><h3>Floor lamp</h3></article>
      <article id="a2" data-sf-product="sku-1001"><h3>Desk lamp again</h3></article>
      <article id="plain"><h3>No product</h3></article>
    </section>`;
  lifetime = new AbortController();
  reset = captureImpressions(window, lifetime.signal, (product) => seen.push(product), {
    IntersectionObserver: FakeIntersectionObserver as unknown as typeof IntersectionObserver,
  });
});

afterEach(() => {
  lifetime.abort();
  vi.useRealTimers();
});

describe('inView', () => {
  it('needs at least half of the element visible', () => {
    expect(inView({ isIntersecting: true, intersectionRatio: 0.5 })).toBe(true);
    expect(inView({ isIntersecting: true, intersectionRatio: 0.49 })).toBe(false);
    expect(inView({ isIntersecting: false, intersectionRatio: 0.5 })).toBe(false);
  });
});

describe('captureImpressions', () => {
  it('observes the product elements at half visibility', () => {
    expect([...io().observed].map((el) => el.id)).toEqual(['a', 'b', 'a2']);
    expect(io().options).toEqual({ threshold: 0.5 });
  });

  it('counts a product half visible for a full second, with its category and slot', () => {
    io().show(0.6, card('a'));
    vi.advanceTimersByTime(999);
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([{ id: 'sku-1001', category: 'lamps', slot: 'grid' }]);
  });

  it('does not count a product that left view before the second was up', () => {
    io().show(0.6, card('b'));
    vi.advanceTimersByTime(600);
    io().show(0.2, card('b'));
    vi.advanceTimersByTime(2000);
    expect(seen).toEqual([]);
    io().show(1, card('b'));
    vi.advanceTimersByTime(1000);
    expect(seen.map((p) => p.id)).toEqual(['sku-1002']);
  });

  it('counts each product once per page view, however often and wherever it shows', () => {
    io().show(1, card('a'));
    vi.advanceTimersByTime(1000);
    io().show(1, card('a2'));
    vi.advanceTimersByTime(1000);
    io().show(0, card('a'));
    io().show(1, card('a'));
    vi.advanceTimersByTime(1000);
    expect(seen.map((p) => p.id)).toEqual(['sku-1001']);
  });

  it('counts a product once when two of its elements come into view together', () => {
    io().show(1, card('a'), card('a2'));
    vi.advanceTimersByTime(1000);
    expect(seen.map((p) => p.id)).toEqual(['sku-1001']);
  });

  it('counts again after a reset (a new page view), for what is still in view', () => {
    io().show(1, card('a'));
    vi.advanceTimersByTime(1000);
    reset();
    expect(io().observed.has(card('a'))).toBe(true);
    io().show(1, card('a'));
    vi.advanceTimersByTime(1000);
    expect(seen.map((p) => p.id)).toEqual(['sku-1001', 'sku-1001']);
  });

  it('drops a pending impression on reset, so it is not credited to the next page view', () => {
    io().show(1, card('b'));
    vi.advanceTimersByTime(500);
    reset();
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual([]);
  });

  it('observes product elements added later, also inside added containers', async () => {
    const single = document.createElement('article');
    single.id = 'c';
    single.setAttribute('data-sf-product', 'sku-1003');
    const list = document.createElement('div');
    list.innerHTML = `<article id="d" data-sf-product="sku-1004" data-sf-slot="recs"></article>`;
    document.body.append(single, list);
    await settle();
    expect(io().observed.has(card('c'))).toBe(true);
    io().show(0.5, card('d'));
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual([{ id: 'sku-1004', slot: 'recs' }]);
  });

  it('reports nothing once its signal aborts', () => {
    io().show(1, card('a'));
    lifetime.abort();
    vi.advanceTimersByTime(5000);
    expect(seen).toEqual([]);
    expect(io().observed.size).toBe(0);
  });

  it('does nothing, and does not throw, where the browser has no IntersectionObserver', () => {
    vi.stubGlobal('IntersectionObserver', undefined);
    try {
      const none = new AbortController();
      captureImpressions(window, none.signal, (product) => seen.push(product))();
      none.abort();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

/**
 * Simulated storefront visitors for the edge suite: each has its own
 * anonymous id and session and browses like a shopper on the demo store
 * (demo-site's catalog), leaning to a favourite category: category pages,
 * product impressions, scrolls, clicks on products the page declared with
 * `data-sf-product` / `data-sf-category` / `data-sf-slot`, product pages with
 * dwell, now and then an add-to-cart or a move to leave. So the visitor
 * objects fold real sessions and the rules run on real signals.
 */
import { randomUUID } from 'node:crypto';
import { LEAVE_TRACK, SCHEMA_VERSION, seededRandom, type ProductRef, type SessionflowEvent } from '@sessionflow/core';
import { benchClientIp } from '../events.js';

const STORE = 'http://127.0.0.1:8080';

/** demo-site/src/catalog/products.ts: the ids and categories the demo rules are written for. */
const CATALOG: ReadonlyArray<{ id: string; category: string }> = [
  { id: 'sku-1001', category: 'lighting' },
  { id: 'sku-1002', category: 'lighting' },
  { id: 'sku-1003', category: 'furniture' },
  { id: 'sku-1004', category: 'furniture' },
  { id: 'sku-1005', category: 'kitchen' },
  { id: 'sku-1006', category: 'kitchen' },
  { id: 'sku-1007', category: 'textiles' },
  { id: 'sku-1008', category: 'plants' },
];
const CATEGORIES = [...new Set(CATALOG.map((p) => p.category))];


type Step = (page: { url: string; referrer: string; pageViewId: string }) => Record<string, unknown> & { type: SessionflowEvent['type'] };

export class SimulatedVisitor {
  readonly anonymousId = randomUUID();
  /**
   * The address the visitor's requests come from (`CF-Connecting-IP`, in the benchmarking range
   * 198.18.0.0/15): each visitor is its own client, as on a real site, so the edge's per-client
   * limit counts each apart. Locally the header is taken as sent; on Cloudflare the platform sets it.
   */
  readonly clientIp: string;
  private readonly sessionId = randomUUID();
  private readonly random: () => number;
  private readonly favourite: string;
  private readonly pending: Array<{ page: { url: string; referrer: string; pageViewId: string }; step: Step }> = [];
  private page = { url: `${STORE}/`, referrer: '', pageViewId: randomUUID() };
  private seq = 0;

  constructor(index: number) {
    this.clientIp = benchClientIp(index);
    this.random = seededRandom(index + 1);
    this.favourite = CATEGORIES[index % CATEGORIES.length]!;
  }

  /** The visitor's next `count` events, as the SDK would batch them. */
  next(count: number): SessionflowEvent[] {
    const out: SessionflowEvent[] = [];
    while (out.length < count) {
      if (this.pending.length === 0) this.journey();
      const { page, step } = this.pending.shift()!;
      out.push({
        schemaVersion: SCHEMA_VERSION,
        eventId: randomUUID(),
        anonymousId: this.anonymousId,
        sessionId: this.sessionId,
        timestamp: Date.now(),
        seq: this.seq++,
        page,
        ...step(page),
      } as SessionflowEvent);
    }
    return out;
  }

  /** A product from the favourite category seven times in ten, else from anywhere. */
  private pickProduct(): { id: string; category: string } {
    const pool = this.random() < 0.7 ? CATALOG.filter((p) => p.category === this.favourite) : CATALOG;
    return pool[Math.floor(this.random() * pool.length)]!;
  }

  /** Moves to a new page view: the next steps happen on it. */
  private navigate(url: string): { url: string; referrer: string; pageViewId: string } {
    this.page = { url, referrer: this.page.url, pageViewId: randomUUID() };
    return this.page;
  }

  /** One round of browsing: a category page, a product from it, sometimes the cart or a move to leave. */
  private journey(): void {
    const product = this.pickProduct();
    const other = this.pickProduct();
    const ref = (p: { id: string; category: string }, slot: string): ProductRef => ({ id: p.id, category: p.category, slot });
    const clickOn = (p: { id: string; category: string }, slot: string): Step => () => ({
      type: 'click',
      element: { tag: 'button', selector: `[data-sf-product="${p.id}"] button`, text: 'View' },
      product: ref(p, slot),
    });
    const listing = this.navigate(`${STORE}/?category=${product.category}`);
    const steps: Array<[typeof listing, Step]> = [
      [listing, () => ({ type: 'page_view' })],
      [listing, () => ({ type: 'impression', product: ref(product, 'grid') })],
      [listing, () => ({ type: 'impression', product: ref(other, 'grid') })],
      [listing, () => ({ type: 'scroll', depth: 25 + 25 * Math.floor(this.random() * 3) })],
      [listing, clickOn(product, 'grid')],
    ];
    const detail = this.navigate(`${STORE}/?product=${product.id}`);
    steps.push(
      [detail, () => ({ type: 'page_view' })],
      [detail, () => ({ type: 'dwell', activeMs: 4000 + Math.floor(this.random() * 16000) })],
      [detail, () => ({ type: 'scroll', depth: 50 + 25 * Math.floor(this.random() * 3) })],
    );
    const roll = this.random();
    if (roll < 0.25) {
      steps.push([detail, () => ({ type: 'track', name: 'add_to_cart', props: { productId: product.id, quantity: 1 } })]);
    } else if (roll < 0.3) {
      steps.push([detail, () => ({ type: 'track', name: LEAVE_TRACK })]);
    } else {
      steps.push([detail, clickOn(other, 'recs')]);
    }
    for (const [page, step] of steps) this.pending.push({ page, step });
  }
}

export function simulatedVisitors(count: number): SimulatedVisitor[] {
  return Array.from({ length: count }, (_, i) => new SimulatedVisitor(i));
}

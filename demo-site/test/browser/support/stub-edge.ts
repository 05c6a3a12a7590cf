/**
 * A stand-in for the edge's `POST /v1/collect`: it keeps every batch the SDK
 * sent (each event checked against core's schema, as the edge would) and
 * answers with actions the way the edge's demo rules do, predictably:
 * after a `product_view` of X, recommendations for X (`recsFor(X)`); after an
 * `add_to_cart`, when told to, the cart offer. CORS as the edge allows the
 * shop's origin.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateEvent, type Action, type SessionflowEvent } from '@sessionflow/core';
import { PRODUCTS, productById } from '../../../src/catalog/products.js';
import { formatPrice } from '../../../src/storefront/format.js';
import { productPath } from '../../../src/storefront/paths.js';

export interface StubEdge {
  url: string;
  /** Every event received, in order, each once: the SDK may send one again (a beacon at page hide, then the queue), as the edge knows. */
  readonly events: SessionflowEvent[];
  /** What failed core's schema: `field: reason` per event. */
  readonly invalid: string[];
  /** Answer an `add_to_cart` with the cart offer. */
  offerOnAddToCart: boolean;
  eventsOf(anonymousId: string): SessionflowEvent[];
  /** Resolves with `select`'s first defined answer; fails after `timeoutMs` saying what arrived. */
  waitFor<T>(select: (events: readonly SessionflowEvent[]) => T | undefined, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/** The products the stub recommends on X's page: four others of its category, in stock. */
export function recsFor(productId: string): string[] {
  const product = productById(productId)!;
  return PRODUCTS.filter((p) => p.category === product.category && p.id !== productId && p.inStock)
    .slice(0, 4)
    .map((p) => p.id);
}

export const STUB_OFFER = { kind: 'offer', slot: 'offer', title: 'Before you go', text: 'Add the Stoneware Mug Set at 20% off.', href: '/?product=sku-1005', cta: 'Add the mugs' } as const;

export async function startStubEdge(): Promise<StubEdge> {
  const events: SessionflowEvent[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  let decided = 0;
  const stub = {
    events,
    invalid,
    offerOnAddToCart: false,
  };
  const decide = (batch: SessionflowEvent[]): Action[] => {
    const actions: Action[] = [];
    const viewed = batch.filter((e) => e.type === 'track' && e.name === 'product_view').at(-1);
    const productId = viewed?.type === 'track' ? String(viewed.props?.['productId']) : undefined;
    if (productId !== undefined && productById(productId) !== undefined) {
      const items = recsFor(productId).map((id) => {
        const p = productById(id)!;
        return { id, name: p.name, href: productPath(id), price: formatPrice(p) };
      });
      actions.push({ id: `recs-${productId}-${++decided}`, kind: 'recs', slot: 'recs', title: 'Similar pieces', items });
    }
    if (stub.offerOnAddToCart && batch.some((e) => e.type === 'track' && e.name === 'add_to_cart')) actions.push({ id: `offer-${++decided}`, ...STUB_OFFER });
    return actions;
  };
  const server = http.createServer((req, res) => {
    const origin = req.headers.origin ?? '*';
    const headers = { 'access-control-allow-origin': origin, vary: 'Origin', 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type' };
    if (req.method === 'OPTIONS') return void res.writeHead(204, headers).end();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.startsWith('/v1/collect')) return void res.writeHead(404, headers).end();
      let batch: SessionflowEvent[] = [];
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events?: unknown[] };
        for (const input of body.events ?? []) {
          const checked = validateEvent(input);
          if (checked.ok) batch.push(checked.value);
          else invalid.push(checked.errors.map((e) => `${e.field}: ${e.reason}`).join('; '));
        }
      } catch {
        batch = [];
        invalid.push('(batch): not JSON');
      }
      for (const event of batch) {
        if (seen.has(event.eventId)) continue;
        seen.add(event.eventId);
        events.push(event);
      }
      res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify({ accepted: batch.length, actions: decide(batch) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(stub, {
    url,
    eventsOf: (anonymousId: string) => events.filter((e) => e.anonymousId === anonymousId),
    async waitFor<T>(select: (events: readonly SessionflowEvent[]) => T | undefined, timeoutMs = 10_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = select(events);
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`the stub edge did not get it within ${timeoutMs} ms; ${events.length} events arrived:\n${events.map((e) => JSON.stringify(e)).join('\n').slice(-4000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  });
}

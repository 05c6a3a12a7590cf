/**
 * A storefront's event stream for the pipeline suite: visitors in sessions of
 * page views, product views, add-to-carts and now and then a purchase, a fifth
 * of them logging in mid-session as one of a pool of users (so identities
 * link and profiles span devices). Seeded, so runs compare.
 */
import { randomUUID } from 'node:crypto';
import { SCHEMA_VERSION, encodeEventRecord, seededRandom, type SessionflowEvent } from '@sessionflow/core';

export const CATEGORIES = ['lighting', 'furniture', 'kitchen', 'textiles', 'plants', 'bath', 'garden', 'office', 'kids', 'outdoor'];
export const PRODUCTS = Array.from({ length: 200 }, (_, i) => ({ id: `sku-${10_000 + i}`, category: CATEGORIES[i % CATEGORIES.length]! }));

export interface WorkloadRecord {
  key: string;
  value: string;
}

/** `count` event records of visitors in sessions of about 20 events, as the collector writes them to `<prefix>.events`. */
export function workload(count: number, seed = 7): WorkloadRecord[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const records: WorkloadRecord[] = [];
  const now = Date.now();
  while (records.length < count) {
    const anonymousId = randomUUID();
    const sessionId = randomUUID();
    const userId = random() < 0.2 ? `user-${Math.floor(random() * 2_000)}` : undefined;
    const loginAt = 2 + Math.floor(random() * 10);
    const length = 5 + Math.floor(random() * 30);
    const interest = pick(CATEGORIES);
    let seq = 0;
    let linked: string | undefined;
    for (let i = 0; i < length && records.length < count; i++) {
      const product = random() < 0.7 ? pick(PRODUCTS.filter((p) => p.category === interest)) : pick(PRODUCTS);
      const common = {
        schemaVersion: SCHEMA_VERSION,
        eventId: randomUUID(),
        anonymousId,
        sessionId,
        timestamp: now + records.length,
        seq: seq++,
        ...(linked !== undefined ? { userId: linked } : {}),
        page: { url: `https://shop.example.com/p/${product.id}`, referrer: 'https://www.google.com/', pageViewId: `pv-${sessionId.slice(0, 8)}-${i}` },
      };
      let event: SessionflowEvent;
      if (userId !== undefined && i === loginAt) {
        linked = userId;
        event = { ...common, userId, type: 'identify' };
      } else {
        const roll = random();
        event =
          roll < 0.3
            ? { ...common, type: 'page_view' }
            : roll < 0.85
              ? { ...common, type: 'click', element: { tag: 'button', text: 'View' }, product: { id: product.id, category: product.category } }
              : roll < 0.97
                ? { ...common, type: 'track', name: 'add_to_cart', props: { productId: product.id } }
                : { ...common, type: 'track', name: 'purchase', props: { productId: product.id } };
      }
      records.push(encodeEventRecord(event, { siteKey: 'bench-site-key', receivedAt: common.timestamp, ingestedAt: common.timestamp, device: 'desktop' }));
    }
  }
  return records;
}

/** One product view of a fresh visitor, for latency probes: its event id is what to look for. */
export function probeRecord(): WorkloadRecord & { eventId: string } {
  const eventId = randomUUID();
  const anonymousId = randomUUID();
  const now = Date.now();
  const event: SessionflowEvent = {
    schemaVersion: SCHEMA_VERSION,
    eventId,
    anonymousId,
    sessionId: randomUUID(),
    timestamp: now,
    type: 'click',
    element: { tag: 'button', text: 'View' },
    product: { id: PRODUCTS[0]!.id, category: PRODUCTS[0]!.category },
    page: { url: `https://shop.example.com/p/${PRODUCTS[0]!.id}`, pageViewId: `pv-${eventId.slice(0, 8)}` },
  };
  return { eventId, ...encodeEventRecord(event, { siteKey: 'bench-site-key', receivedAt: now, ingestedAt: now, device: 'desktop' }) };
}

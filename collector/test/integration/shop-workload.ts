/**
 * A seeded shop's event stream for the tests that compare two runs of the
 * pipeline over the same events (a reference and a disturbed one): people
 * land, are exposed to an experiment, view, add to cart and buy, log in
 * mid-session, come back on a second device. The same seed gives the same
 * stream, ids and all, without storing it.
 *
 * The same generator as scale-out.test.ts's (which keeps its own copy while
 * another stream of issue 12 edits that file).
 */
import { deviceRef, encodeEventRecord, HOLDOUT_VARIANT, SCHEMA_VERSION, seededRandom, userRef, type DeviceClass, type SessionflowEvent, type Topics } from '@sessionflow/core';
import { catalogRecords } from '../../src/catalog/records.js';
import type { OutboundRecord } from '../../src/ingest/sink.js';
import { murmur2 } from '../../src/kafka/partitioner.js';
import { minuteOf } from '../../src/pipeline/rollups/minute.js';

export const EXPERIMENT = 'recs-strategy';

const CATEGORIES = ['kitchen', 'garden', 'books', 'toys', 'sports', 'music'];
export const PRODUCTS = Array.from({ length: 60 }, (_, i) => ({ id: `sku-${i}`, category: CATEGORIES[i % CATEGORIES.length]! }));
const LANDINGS: { url: string; referrer: string }[] = [
  { url: 'https://shop.example/', referrer: '' },
  { url: 'https://shop.example/', referrer: 'https://www.google.com/search?q=mug' },
  { url: 'https://shop.example/c/garden', referrer: 'https://bing.com/' },
  { url: 'https://shop.example/?utm_source=Newsletter', referrer: '' },
  { url: 'https://shop.example/p/sku-3?utm_source=partner', referrer: 'https://partner.example/deals' },
  { url: 'https://shop.example/c/books', referrer: 'https://shop.example/' },
];
const DEVICES: (DeviceClass | undefined)[] = ['mobile', 'desktop', 'tablet', 'mobile', 'desktop', undefined, 'unknown'];

export interface Delivery {
  event: SessionflowEvent;
  device: DeviceClass | undefined;
}

export interface Workload {
  /** In the order they are produced: a device's events in time order, a re-delivery right after its original. */
  deliveries: Delivery[];
  /** Every profile that may be stored, by ref: users' (`u:…`) and devices' own (`a:…`). */
  profileIds: string[];
  /** Every device (anonymous id) of the stream, and every session with its device: the identity and sessions stages' state. */
  anonymousIds: string[];
  sessions: { id: string; anonymousId: string }[];
  /** The ISO minutes the events fall in. */
  minutes: string[];
}

/**
 * `length` deliveries of people browsing over 15 minutes from `startMs`: a
 * landing page view (the traffic source), an exposure to the experiment,
 * product views (clicks and `product_view` tracks, some without a category),
 * page views, adds to cart and purchases (all three shapes), 1 % re-delivered;
 * 60 % log in mid-session on their first device, and some come back on a
 * second device and log in there too. A person's devices hash to the same one
 * of the events topic's `partitions`: two devices on different partitions have
 * no order between them, and the experiment's first exposure and the
 * profile's recently viewed depend on it.
 */
export function shopWorkload(startMs: number, o: { length: number; partitions: number; seed?: number }): Workload {
  const next = seededRandom(o.seed ?? 20_261_202);
  const partitionOf = (key: string) => (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % o.partitions;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const deliveries: Delivery[] = [];
  let serial = 0;
  const eventId = () => `evt-${String(serial++).padStart(6, '0')}`;

  for (let person = 0; deliveries.length < o.length * 1.05; person++) {
    const userId = next() < 0.6 ? `user-${person}` : undefined;
    const first = `anon-${person}-a`;
    const anonymousIds = [first];
    if (userId !== undefined && next() < 0.35) {
      let k = 0;
      while (partitionOf(`anon-${person}-b${k}`) !== partitionOf(first)) k++;
      anonymousIds.push(`anon-${person}-b${k}`);
    }
    const variant = pick(['similar', 'popular', 'similar', 'popular', HOLDOUT_VARIANT]);
    let at = startMs + Math.floor(next() * 12 * 60_000);
    anonymousIds.forEach((anonymousId, deviceIndex) => {
      const device = pick(DEVICES);
      let linked = false;
      const sessions = next() < 0.3 ? 2 : 1;
      for (let s = 0; s < sessions; s++) {
        const sessionId = `session-${person}-${deviceIndex}-${s}`;
        const steps = 5 + Math.floor(next() * 8);
        const loginAt = userId !== undefined && !linked ? 2 + Math.floor(next() * (steps - 2)) : -1;
        const landing = pick(LANDINGS);
        let lastViewed = pick(PRODUCTS);
        const push = (body: Record<string, unknown>, page = { url: `https://shop.example/p/${lastViewed.id}`, referrer: 'https://shop.example/' }) => {
          at += 1_000 + Math.floor(next() * 9_000);
          const event = {
            schemaVersion: SCHEMA_VERSION,
            eventId: eventId(),
            anonymousId,
            sessionId,
            timestamp: at,
            page,
            ...(linked && userId !== undefined ? { userId } : {}),
            ...body,
          } as SessionflowEvent;
          deliveries.push({ event, device });
          // An edge retry: the same event id again, to count once.
          if (next() < 0.01) deliveries.push({ event, device });
        };
        push({ type: 'page_view' }, landing);
        push({ type: 'exposure', actionId: 'recs-home', experiment: EXPERIMENT, variant });
        for (let step = 0; step < steps; step++) {
          if (step === loginAt) {
            linked = true;
            push({ type: 'identify', userId });
            if (next() < 0.5) push({ type: 'exposure', actionId: 'recs-home', experiment: EXPERIMENT, variant: next() < 0.9 ? variant : 'similar' });
          }
          lastViewed = pick(PRODUCTS);
          const roll = next();
          if (roll < 0.3) push({ type: 'click', element: { tag: 'article' }, product: { id: lastViewed.id, category: lastViewed.category } });
          else if (roll < 0.5) push({ type: 'track', name: 'product_view', props: next() < 0.5 ? { productId: lastViewed.id } : { productId: lastViewed.id, category: lastViewed.category } });
          else if (roll < 0.7) push({ type: 'page_view' });
          else if (roll < 0.88) push({ type: 'track', name: 'add_to_cart', props: { productId: lastViewed.id } });
          else if (roll < 0.92) push({ type: 'exposure', actionId: 'recs-pdp', experiment: next() < 0.5 ? EXPERIMENT : 'not-configured', variant });
          else {
            const other = pick(PRODUCTS).id;
            const shape = pick([{ productId: lastViewed.id }, { productIds: [lastViewed.id, other] }, { items: [{ productId: other }, { productId: lastViewed.id }] }]);
            push({ type: 'track', name: 'purchase', props: shape });
          }
        }
        at += 60_000;
      }
    });
  }
  // Time order over everyone (stable: a device's own order and re-deliveries stay as they are), cut to the stream's length.
  const ordered = deliveries.map((d, i) => ({ d, i })).sort((x, y) => x.d.event.timestamp - y.d.event.timestamp || x.i - y.i).map(({ d }) => d).slice(0, o.length);
  const refs = new Set<string>();
  const anonymousIds = new Set<string>();
  const sessions = new Map<string, string>();
  const minutes = new Set<string>();
  for (const { event } of ordered) {
    refs.add(deviceRef(event.anonymousId));
    if (event.userId !== undefined) refs.add(userRef(event.userId));
    anonymousIds.add(event.anonymousId);
    sessions.set(event.sessionId, event.anonymousId);
    minutes.add(minuteOf(event.timestamp));
  }
  return { deliveries: ordered, profileIds: [...refs].sort(), anonymousIds: [...anonymousIds].sort(), sessions: [...sessions].sort(([a], [b]) => a.localeCompare(b)).map(([id, anonymousId]) => ({ id, anonymousId })), minutes: [...minutes].sort() };
}

/** The events topic's records of the deliveries, as the collector writes them (keyed by anonymous id). */
export function eventRecords(deliveries: readonly Delivery[]): { key: string; value: string }[] {
  return deliveries.map(({ event, device }) =>
    encodeEventRecord(event, { siteKey: 'demo-site-key', receivedAt: event.timestamp + 40, ingestedAt: event.timestamp + 45, ...(device ? { device } : {}) }),
  );
}

/** The shop's catalog feed: every product, one in seven out of stock. */
export function shopCatalog(topics: Pick<Topics, 'products' | 'inventory'>): OutboundRecord[] {
  return catalogRecords(
    PRODUCTS.map((p, i) => ({ id: p.id, name: `Product ${i}`, category: p.category, price: '€10.00', inStock: i % 7 !== 0 })),
    topics,
  );
}

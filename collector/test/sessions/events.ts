/** Events of one visitor's session as the edge relays them: its session id stamped, its arrival time in `ingest`. */
import { SCHEMA_VERSION, type IngestedEvent } from '@sessionflow/core';

export const T0 = 1_750_000_000_000;

let next = 0;

export function sessionEvent(sessionId: string, receivedAt: number, body: Record<string, unknown>): IngestedEvent {
  next++;
  return {
    schemaVersion: SCHEMA_VERSION,
    eventId: `evt-${String(next).padStart(6, '0')}`,
    anonymousId: `anon-of-${sessionId}`,
    sessionId,
    // The visitor's clock is behind: the edge's arrival time is what counts.
    timestamp: receivedAt - 60_000,
    page: { url: 'https://shop.example/', referrer: '' },
    ...body,
    ingest: { siteKey: 'demo-site-key', receivedAt, ingestedAt: receivedAt + 3 },
  } as unknown as IngestedEvent;
}

export const pageView = (sessionId: string, at: number) => sessionEvent(sessionId, at, { type: 'page_view' });
export const productClick = (sessionId: string, at: number, productId: string, category: string) =>
  sessionEvent(sessionId, at, { type: 'click', element: { tag: 'article' }, product: { id: productId, category } });
export const addToCart = (sessionId: string, at: number, productId: string) => sessionEvent(sessionId, at, { type: 'track', name: 'add_to_cart', props: { productId } });

/**
 * What the SDK captures for each step of a planned session, in core's event
 * shapes, as the demo storefront produces them: a page view per page (the
 * landing page, each product page, the checkout), a click on the product
 * that leads to its page, the shop's `product_view` track on it, `dwell` as
 * a page view ends, `identify` with the site server's token, `add_to_cart`
 * and `purchase` tracks (demo-site/src/storefront/tracking.ts). The fields
 * every event carries are the SDK's (sdk/src/event/build.ts): an id, the
 * device's anonymous id, its session id and sequence number, the time, the page.
 *
 * The log has no categories, prices or page layout: products carry only their
 * id (`dg-<rank>`, their popularity rank), and nothing is made up for the rest.
 * Pure: ids, the clock and the token come from the caller.
 */
import { SCHEMA_VERSION, type Page, type SessionflowEvent } from '@sessionflow/core';
import type { Step } from './plan.js';

/** One tab's state in a session, moved on by each step. */
export interface Tab {
  anonymousId: string;
  sessionId: string;
  /** The next event's sequence number in the session. */
  seq: number;
  page: Page;
  userId: string | undefined;
}

export interface StepContext {
  /** The shop's origin, e.g. `http://127.0.0.1:8080`. */
  origin: string;
  newId: () => string;
  now: number;
  /** For a sign-in: the user and the token the site's server signed for them. */
  signIn?: { userId: string; token: string };
}

export const productId = (rank: number): string => `dg-${rank}`;

export function newTab(anonymousId: string, sessionId: string, origin: string): Tab {
  return { anonymousId, sessionId, seq: 0, page: { url: `${origin}/`, referrer: '' }, userId: undefined };
}

type Body = Record<string, unknown> & { type: SessionflowEvent['type'] };

/** The events a step makes, and the tab after it. */
export function eventsOfStep(before: Tab, step: Step, c: StepContext): { tab: Tab; events: SessionflowEvent[] } {
  let tab = before;
  const events: SessionflowEvent[] = [];
  const emit = (body: Body) => {
    const event = { schemaVersion: SCHEMA_VERSION, eventId: c.newId(), anonymousId: tab.anonymousId, sessionId: tab.sessionId, seq: tab.seq, timestamp: Math.floor(c.now), page: tab.page, ...(tab.userId === undefined ? {} : { userId: tab.userId }), ...body };
    tab = { ...tab, seq: tab.seq + 1 };
    events.push(event as SessionflowEvent);
  };
  const navigate = (path: string) => {
    tab = { ...tab, page: { url: `${c.origin}${path}`, referrer: tab.page.url, pageViewId: c.newId() } };
    emit({ type: 'page_view' });
  };
  const dwell = (activeMs: number) => activeMs > 0 && emit({ type: 'dwell', activeMs });

  switch (step.kind) {
    case 'landing':
      tab = { ...tab, page: { url: `${c.origin}/`, referrer: '', pageViewId: c.newId() } };
      emit({ type: 'page_view' });
      break;
    case 'sign_in':
      if (!c.signIn) throw new Error('a sign_in step needs signIn (the user id and the token the site signed)');
      emit({ type: 'identify', userId: c.signIn.userId, token: c.signIn.token });
      tab = { ...tab, userId: c.signIn.userId };
      break;
    case 'view': {
      const id = productId(step.product);
      dwell(step.leftActiveMs);
      emit({ type: 'click', element: { tag: 'a', selector: '[data-sf-product] a', text: 'View' }, product: { id, slot: 'grid' } });
      navigate(`/p/${id}`);
      emit({ type: 'track', name: 'product_view', props: { productId: id } });
      break;
    }
    case 'add_to_cart':
      emit({ type: 'track', name: 'add_to_cart', props: { productId: productId(step.product), quantity: 1 } });
      break;
    case 'leave':
      dwell(step.leftActiveMs);
      if (step.bought.length > 0) {
        navigate('/checkout');
        emit({ type: 'track', name: 'purchase', props: { orderId: c.newId(), items: step.bought.map((rank) => ({ productId: productId(rank), quantity: 1 })) } });
      }
      break;
  }
  return { tab, events };
}

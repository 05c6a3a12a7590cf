/**
 * Folds one event into the visitor's open session: core's `touchSession` says
 * whether it continues the session or starts a fresh one (after the inactivity
 * gap, past the maximum length, or on a page view from another campaign, as
 * the SDK does), then the event is summed in. Pure and never changes its input,
 * so the VisitorDO can keep the previous value until the new one is stored.
 */
import type { EventOf, EventType, SessionflowEvent } from '../event/schema.js';
import { campaignOf } from '../session/campaign.js';
import { DEFAULT_SESSION_POLICY, touchSession, type SessionPolicy } from '../session/session.js';
import { addToCart, removeFromCart } from './cart.js';
import { emptyOpenSession, OPEN_SESSION_LIMITS, type OpenSession } from './open-session.js';
import { scrollPage } from './pages.js';
import { viewProduct } from './products.js';
import { nameProp } from './props.js';
import { queryOf } from './query.js';

/** A `track` of a product view, props `{ productId, category? }`, for pages that report views themselves (a product page). */
export const PRODUCT_VIEW_TRACK = 'product_view';
/** A `track` the SDK sends when the visitor moves to leave (exit intent); the cart-abandonment risk reads it. */
export const LEAVE_TRACK = 'exit_intent';

/** What was measured or shown rather than done by the visitor. */
const PASSIVE_TYPES: ReadonlySet<EventType> = new Set<EventType>(['dwell', 'impression', 'exposure']);

/**
 * The session after `event` at `nowMs` (the caller's clock). An event id seen
 * among the session's last 200 is a duplicate: the same session object comes
 * back, unchanged, and no session is started for it.
 */
export function foldEvent(
  session: OpenSession | undefined,
  event: SessionflowEvent,
  nowMs: number,
  newId: () => string,
  policy: SessionPolicy = DEFAULT_SESSION_POLICY,
): OpenSession {
  if (session?.recentEventIds.includes(event.eventId)) return session;
  const campaign = event.type === 'page_view' ? campaignOf(queryOf(event.page.url)) : undefined;
  const boundary = touchSession(session, nowMs, newId, policy, campaign);
  const continued = session !== undefined && session.id === boundary.id;
  const base = continued ? { ...session, lastActivityAt: boundary.lastActivityAt } : emptyOpenSession(boundary, event.page.url);
  return foldByType(countEvent(base, event), event, nowMs);
}

/** Visitor actions: page views, clicks, scrolls, identifies, and tracks other than a leave or the SDK's own `sf_` reports. */
export function isInteraction(event: SessionflowEvent): boolean {
  if (PASSIVE_TYPES.has(event.type)) return false;
  return event.type !== 'track' || (event.name !== LEAVE_TRACK && !event.name.startsWith('sf_'));
}

/** What every event adds; any visitor action after a move to leave shows they stayed. */
function countEvent(s: OpenSession, event: SessionflowEvent): OpenSession {
  const interaction = isInteraction(event);
  return {
    ...s,
    events: s.events + 1,
    interactions: s.interactions + (interaction ? 1 : 0),
    leaving: s.leaving && !interaction,
    lastPageUrl: event.page.url,
    userId: event.userId ?? s.userId,
    recentEventIds: [...s.recentEventIds, event.eventId].slice(-OPEN_SESSION_LIMITS.recentEventIds),
  };
}

function foldByType(s: OpenSession, event: SessionflowEvent, nowMs: number): OpenSession {
  switch (event.type) {
    case 'page_view':
      return { ...s, pageViews: s.pageViews + 1, pageScrolls: scrollPage(s.pageScrolls, event.page, 0) };
    case 'click':
      return event.product ? { ...s, clicks: s.clicks + 1, ...viewProduct(s, event.product, nowMs) } : { ...s, clicks: s.clicks + 1 };
    case 'scroll':
      return { ...s, pageScrolls: scrollPage(s.pageScrolls, event.page, event.depth) };
    case 'dwell':
      return { ...s, activeMs: s.activeMs + event.activeMs };
    case 'track':
      return foldTrack(s, event, nowMs);
    default:
      // impression and exposure are what the page showed; identify's user id is taken with every event's.
      return s;
  }
}

function foldTrack(s: OpenSession, event: EventOf<'track'>, nowMs: number): OpenSession {
  switch (event.name) {
    case 'add_to_cart':
      return { ...s, cart: addToCart(s.cart, event.props) };
    case 'remove_from_cart':
      return { ...s, cart: removeFromCart(s.cart, event.props) };
    case 'purchase':
      // What was bought has left the cart.
      return { ...s, cart: {}, purchased: true };
    case PRODUCT_VIEW_TRACK: {
      const id = nameProp(event.props, 'productId');
      return id === undefined ? s : { ...s, ...viewProduct(s, { id, category: nameProp(event.props, 'category') }, nowMs) };
    }
    case LEAVE_TRACK:
      return { ...s, leaving: true };
    default:
      return s;
  }
}

/** Folds a batch in order, all at `nowMs`. */
export function foldEvents(
  session: OpenSession | undefined,
  events: readonly SessionflowEvent[],
  nowMs: number,
  newId: () => string,
  policy: SessionPolicy = DEFAULT_SESSION_POLICY,
): OpenSession | undefined {
  return events.reduce<OpenSession | undefined>((s, event) => foldEvent(s, event, nowMs, newId, policy), session);
}

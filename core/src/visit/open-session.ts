/**
 * The open session the edge's VisitorDO keeps for its visitor: the session
 * boundary of core's one session definition plus what the visitor did in it,
 * summed up as plain JSON data (it is stored in Durable Object storage as is).
 * Every list and record is bounded, so a bot or a tampered client cannot grow
 * the stored value without limit. All times are the caller's clock (`nowMs`).
 */
import { isSessionState, type SessionState } from '../session/session.js';

/** Bounds on the stored session (see the module comment). */
export const OPEN_SESSION_LIMITS = Object.freeze({
  /** Event ids remembered to count a duplicate once. */
  recentEventIds: 200,
  productsViewed: 50,
  /** Pages whose scroll depth is kept; the oldest go first. */
  pages: 100,
  /** Distinct categories counted; views of further ones count only as product views. */
  categories: 100,
  /** Distinct products in the cart; further ones are not added. */
  cartLines: 100,
  /** Units of one product in the cart. */
  lineQuantity: 999,
});

export interface ViewedProduct {
  id: string;
  category?: string;
  /** When it was last viewed. */
  at: number;
}

export interface PageScroll {
  /** The page view's id (`page.pageViewId`), else its URL. */
  page: string;
  /** The deepest scroll seen on that page view, 0 to 100. */
  depth: number;
}

export interface OpenSession extends SessionState {
  /** Distinct events folded in, of every type. */
  events: number;
  /** What the visitor did, rather than what was measured or shown: page views, clicks, scrolls, tracks, identifies. */
  interactions: number;
  pageViews: number;
  clicks: number;
  /** Sum of the dwell events' active time. */
  activeMs: number;
  /** In the order the pages were first seen; a page view counts from 0 until it scrolls. */
  pageScrolls: PageScroll[];
  /** Product views, repeats included (a click on a product, or a `product_view` track). */
  productViews: number;
  /** Distinct products viewed, least recent first. */
  productsViewed: ViewedProduct[];
  /** Product views per category, repeats included. */
  categoryViews: Record<string, number>;
  /** Units per product id. */
  cart: Record<string, number>;
  purchased: boolean;
  /** The visitor's latest action was a move to leave (an `exit_intent` track). */
  leaving: boolean;
  lastPageUrl: string;
  userId?: string;
  /** Set by the caller (the edge knows the request's user agent); kept while the session lasts. */
  bot?: boolean;
  /** The last event ids seen, oldest first. */
  recentEventIds: string[];
}

/** A session that has seen nothing yet, on the boundary `touchSession` gave. */
export function emptyOpenSession(state: SessionState, pageUrl: string): OpenSession {
  return {
    ...state,
    events: 0,
    interactions: 0,
    pageViews: 0,
    clicks: 0,
    activeMs: 0,
    pageScrolls: [],
    productViews: 0,
    productsViewed: [],
    categoryViews: {},
    cart: {},
    purchased: false,
    leaving: false,
    lastPageUrl: pageUrl,
    recentEventIds: [],
  };
}

/** Guards a session read back from storage, which may be from an older shape or tampered with. */
export function isOpenSession(value: unknown): value is OpenSession {
  if (!isSessionState(value)) return false;
  const s = value as unknown as Record<string, unknown>;
  const counts = ['events', 'interactions', 'pageViews', 'clicks', 'activeMs', 'productViews'];
  const lists = ['pageScrolls', 'productsViewed', 'recentEventIds'];
  const records = ['categoryViews', 'cart'];
  return (
    counts.every((k) => Number.isFinite(s[k])) &&
    lists.every((k) => Array.isArray(s[k])) &&
    records.every((k) => typeof s[k] === 'object' && s[k] !== null && !Array.isArray(s[k])) &&
    typeof s['purchased'] === 'boolean' &&
    typeof s['leaving'] === 'boolean' &&
    typeof s['lastPageUrl'] === 'string'
  );
}

/** A record's own value: ids and categories come from pages, and `constructor` or `__proto__` must read as nothing. */
export function countOf(record: Readonly<Record<string, number>>, key: string): number {
  return Object.hasOwn(record, key) ? (record[key] ?? 0) : 0;
}

/**
 * Scroll depth per page view: the deepest scroll each page reached, in the
 * order the pages were first seen, the oldest dropped past the limit.
 */
import type { Page } from '../event/schema.js';
import { OPEN_SESSION_LIMITS, type PageScroll } from './open-session.js';

/** The key a page view's depth is kept under: its id, else (an SDK that sends none) its URL. */
export function pageKey(page: Page): string {
  return page.pageViewId ?? page.url;
}

/** Records `depth` on the page view, keeping the deepest seen; a page first seen starts there. */
export function scrollPage(scrolls: readonly PageScroll[], page: Page, depth: number): PageScroll[] {
  const key = pageKey(page);
  const index = scrolls.map((s) => s.page).lastIndexOf(key);
  if (index < 0) return [...scrolls, { page: key, depth }].slice(-OPEN_SESSION_LIMITS.pages);
  const deepest = Math.max(scrolls[index]?.depth ?? 0, depth);
  return scrolls.map((s, i) => (i === index ? { page: key, depth: deepest } : s));
}

/** The page an event happened on, trimmed to what core's schema accepts. */
import type { Page } from '@sessionflow/core';

/** What the browser says about the current page, read fresh for each event (SPAs change it). */
export interface PageSnapshot {
  url: string;
  referrer: string;
  title: string;
}

const MAX_URL = 2048;
const MAX_TITLE = 512;

/** The part of the page every event of a page view shares, fixed when it starts: its URL and referrer. */
export function describeView(url: string, referrer: string, pageViewId: string): Omit<Page, 'title'> {
  return {
    url: url.slice(0, MAX_URL),
    // Only web referrers mean anything downstream (not android-app:// and the like).
    referrer: /^https?:\/\//i.test(referrer) ? referrer.slice(0, MAX_URL) : '',
    pageViewId,
  };
}

/** The title, read for each event (single-page apps set it after the route changed). */
export const titleOf = (title: string): string => title.trim().slice(0, MAX_TITLE);

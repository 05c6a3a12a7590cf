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

export function describePage(snapshot: PageSnapshot, pageViewId: string): Page {
  return {
    url: snapshot.url.slice(0, MAX_URL),
    // Only web referrers mean anything downstream (not android-app:// and the like).
    referrer: /^https?:\/\//i.test(snapshot.referrer) ? snapshot.referrer.slice(0, MAX_URL) : '',
    title: snapshot.title.trim().slice(0, MAX_TITLE),
    pageViewId,
  };
}

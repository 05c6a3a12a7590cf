/**
 * The anonymous id: made on a device's first visit and kept first-party, in
 * localStorage with a cookie copy on the site's root domain, so subdomains and
 * the edge see the same id. The cookie wins when the two disagree: it is the
 * copy every subdomain shares, while localStorage is per origin.
 */
import { ID_PATTERN } from './ids.js';
import type { CookieJar, KeyValueStore } from './storage.js';

export const ANONYMOUS_ID_KEY = 'sf_aid';
/** About two years, so a returning device keeps its id. */
const COOKIE_MAX_AGE_S = 63_072_000;

export function readAnonymousId(store: KeyValueStore, cookies: CookieJar): string | undefined {
  return [cookies.get(ANONYMOUS_ID_KEY), store.get(ANONYMOUS_ID_KEY)].find((id) => id !== undefined && ID_PATTERN.test(id));
}

/** Written to both each time, so either copy restores the other if one was cleared. */
export function saveAnonymousId(store: KeyValueStore, cookies: CookieJar, id: string): void {
  store.set(ANONYMOUS_ID_KEY, id);
  cookies.set(ANONYMOUS_ID_KEY, id, COOKIE_MAX_AGE_S);
}

export function forgetAnonymousId(store: KeyValueStore, cookies: CookieJar): void {
  store.del(ANONYMOUS_ID_KEY);
  cookies.set(ANONYMOUS_ID_KEY, '', 0);
}

/**
 * The anonymous id: made on a device's first visit and kept first-party, in
 * localStorage with a cookie copy so the edge can read it on same-site requests.
 */
import { ID_PATTERN } from './ids.js';
import type { CookieJar, KeyValueStore } from './storage.js';

export const ANONYMOUS_ID_KEY = 'sf_aid';
/** About two years, so a returning device keeps its id. */
const COOKIE_MAX_AGE_S = 2 * 365 * 24 * 3600;

export function loadAnonymousId(store: KeyValueStore, cookies: CookieJar, newId: () => string): string {
  const kept = [store.get(ANONYMOUS_ID_KEY), cookies.get(ANONYMOUS_ID_KEY)].find((id) => id !== undefined && ID_PATTERN.test(id));
  const id = kept ?? newId();
  // Written back each time, so either copy restores the other if one was cleared.
  store.set(ANONYMOUS_ID_KEY, id);
  cookies.set(ANONYMOUS_ID_KEY, id, COOKIE_MAX_AGE_S);
  return id;
}

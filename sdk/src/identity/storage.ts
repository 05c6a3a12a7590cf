/**
 * First-party storage behind small interfaces, so tests need no DOM. Where
 * localStorage or cookies are blocked, reads find nothing and writes are
 * dropped; the tracker keeps its own copy in memory for the page's life.
 */

export interface KeyValueStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  del(key: string): void;
}

export interface CookieJar {
  get(name: string): string | undefined;
  /** A `maxAgeSeconds` of 0 deletes the cookie. */
  set(name: string, value: string, maxAgeSeconds: number): void;
}

/** Runs `op`, or gives undefined when storage throws (private modes, disabled storage, quota). */
export const attempt = <T>(op: () => T): T | undefined => {
  try {
    return op();
  } catch {
    return undefined;
  }
};

export function webStore(storage: () => Storage): KeyValueStore {
  return {
    get: (key) => attempt(() => storage().getItem(key)) ?? undefined,
    set: (key, value) => attempt(() => storage().setItem(key, value)),
    del: (key) => attempt(() => storage().removeItem(key)),
  };
}

/** Cookies on `domain` (the site's root domain, so every subdomain and the edge see one id), host-only when it is undefined. */
export function documentCookies(doc: Pick<Document, 'cookie'>, secure: boolean, domain: string | undefined): CookieJar {
  return {
    get: (name) => attempt(() => decodeURIComponent(doc.cookie.match(`(?:^|; )${name}=([^;]*)`)?.[1] ?? '')) || undefined,
    set: (name, value, maxAgeSeconds) =>
      attempt(() => {
        doc.cookie = `${name}=${encodeURIComponent(value)}; Path=/; Max-Age=${maxAgeSeconds}; SameSite=Lax${domain ? `; Domain=${domain}` : ''}${secure ? '; Secure' : ''}`;
      }),
  };
}

/**
 * The widest domain that takes a cookie for `host`: `www.shop.example.co.uk` →
 * `example.co.uk`, found by trying from the shortest suffix up, since browsers
 * refuse cookies on public suffixes (`co.uk`). Undefined (host-only cookies)
 * for IP addresses, single-label hosts like `localhost`, and when none sticks.
 */
export function rootDomain(doc: Pick<Document, 'cookie'>, host: string): string | undefined {
  const labels = host.split('.');
  if (/^[\d.]+$|:/.test(host)) return undefined;
  for (let i = labels.length - 2; i >= 0; i--) {
    const domain = labels.slice(i).join('.');
    const probe = documentCookies(doc, false, domain);
    probe.set('sf_probe', '1', 9);
    if (probe.get('sf_probe')) {
      probe.set('sf_probe', '', 0);
      return domain;
    }
  }
  return undefined;
}

/**
 * First-party storage behind small interfaces, so identity works (for the page's
 * life at least) where localStorage or cookies are blocked, and tests need no DOM.
 */

export interface KeyValueStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

export interface CookieJar {
  get(name: string): string | undefined;
  set(name: string, value: string, maxAgeSeconds: number): void;
}

export function memoryStore(): KeyValueStore {
  const values = new Map<string, string>();
  return {
    get: (key) => values.get(key),
    set: (key, value) => void values.set(key, value),
  };
}

/** localStorage, falling back to memory when it throws (private modes, disabled storage, quota). */
export function webStore(getStorage: () => Storage): KeyValueStore {
  const fallback = memoryStore();
  return {
    get(key) {
      try {
        return getStorage().getItem(key) ?? fallback.get(key);
      } catch {
        return fallback.get(key);
      }
    },
    set(key, value) {
      fallback.set(key, value);
      try {
        getStorage().setItem(key, value);
      } catch {
        // Memory keeps it for this page.
      }
    },
  };
}

export function documentCookies(doc: Document, secure: boolean): CookieJar {
  return {
    get(name) {
      try {
        for (const pair of doc.cookie.split(';')) {
          const at = pair.indexOf('=');
          if (at > 0 && pair.slice(0, at).trim() === name) return decodeURIComponent(pair.slice(at + 1).trim());
        }
      } catch {
        // Cookies disabled or a malformed value: treat as absent.
      }
      return undefined;
    },
    set(name, value, maxAgeSeconds) {
      try {
        doc.cookie = `${name}=${encodeURIComponent(value)}; Path=/; Max-Age=${maxAgeSeconds}; SameSite=Lax${secure ? '; Secure' : ''}`;
      } catch {
        // Cookies disabled: localStorage still holds the id.
      }
    },
  };
}

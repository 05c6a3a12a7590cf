// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { documentCookies, rootDomain, webStore } from '../src/identity/storage.js';

/** A cookie jar that, like a browser, refuses cookies on public suffixes and on domains the host is not in. */
function browserLikeCookies(host: string, publicSuffixes: string[]) {
  const jar = new Map<string, string>();
  return {
    jar,
    get cookie() {
      return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    },
    set cookie(line: string) {
      const [pair, ...attributes] = line.split('; ');
      const [name, value] = pair!.split('=') as [string, string];
      const domain = attributes.find((a) => a.startsWith('Domain='))?.slice(7);
      if (domain && (publicSuffixes.includes(domain) || !`.${host}`.endsWith(`.${domain}`))) return;
      if (attributes.includes('Max-Age=0')) jar.delete(name);
      else jar.set(name, value);
    },
  };
}

describe('rootDomain', () => {
  it.each([
    ['www.shop.example.co.uk', ['uk', 'co.uk'], 'example.co.uk'],
    ['shop.example.com', ['com'], 'example.com'],
    ['example.com', ['com'], 'example.com'],
  ])('finds the widest domain %s can set a cookie on', (host, suffixes, expected) => {
    const doc = browserLikeCookies(host, suffixes);
    expect(rootDomain(doc, host)).toBe(expected);
    // The probe cookie is removed again.
    expect(doc.jar.size).toBe(0);
  });

  it.each(['localhost', '127.0.0.1', '[::1]'])('gives host-only cookies on %s', (host) => {
    expect(rootDomain(browserLikeCookies(host, []), host)).toBeUndefined();
  });
});

describe('documentCookies', () => {
  it('writes, reads and deletes a cookie, encoding its value', () => {
    const jar = documentCookies(document, false, undefined);
    jar.set('sf_test', 'a b;c', 60);
    expect(jar.get('sf_test')).toBe('a b;c');
    expect(jar.get('sf_tes')).toBeUndefined();
    jar.set('sf_test', '', 0);
    expect(jar.get('sf_test')).toBeUndefined();
  });
});

describe('webStore', () => {
  it('reads nothing and throws nothing when storage is blocked', () => {
    const store = webStore(() => {
      throw new DOMException('blocked', 'SecurityError');
    });
    expect(() => store.set('k', 'v')).not.toThrow();
    expect(store.get('k')).toBeUndefined();
    expect(() => store.del('k')).not.toThrow();
  });
});

import { describe, expect, it } from 'vitest';
import { ANONYMOUS_ID_KEY, forgetAnonymousId, readAnonymousId, saveAnonymousId } from '../src/identity/anonymous-id.js';
import { fakeCookies, fakeStore } from './fakes.js';

describe('the anonymous id in storage', () => {
  it('finds nothing on a first visit', () => {
    expect(readAnonymousId(fakeStore(), fakeCookies())).toBeUndefined();
  });

  it('is saved to localStorage and the cookie, and read back', () => {
    const store = fakeStore();
    const cookies = fakeCookies();
    saveAnonymousId(store, cookies, 'anon-00000001');
    expect(store.values.get(ANONYMOUS_ID_KEY)).toBe('anon-00000001');
    expect(cookies.values.get(ANONYMOUS_ID_KEY)).toBe('anon-00000001');
    expect(readAnonymousId(store, cookies)).toBe('anon-00000001');
  });

  it('takes the cookie when the two disagree: the cookie is what every subdomain shares', () => {
    const store = fakeStore({ [ANONYMOUS_ID_KEY]: 'local-only-id-1' });
    expect(readAnonymousId(store, fakeCookies({ [ANONYMOUS_ID_KEY]: 'root-domain-id-2' }))).toBe('root-domain-id-2');
  });

  it('falls back to localStorage when the cookie was cleared', () => {
    expect(readAnonymousId(fakeStore({ [ANONYMOUS_ID_KEY]: 'local-only-id-1' }), fakeCookies())).toBe('local-only-id-1');
  });

  it('ignores a stored value that is not a valid id', () => {
    expect(readAnonymousId(fakeStore({ [ANONYMOUS_ID_KEY]: '<script>' }), fakeCookies({ [ANONYMOUS_ID_KEY]: 'x' }))).toBeUndefined();
  });

  it('is forgotten from both', () => {
    const store = fakeStore();
    const cookies = fakeCookies();
    saveAnonymousId(store, cookies, 'anon-00000001');
    forgetAnonymousId(store, cookies);
    expect(readAnonymousId(store, cookies)).toBeUndefined();
  });
});

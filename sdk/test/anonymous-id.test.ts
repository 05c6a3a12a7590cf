import { describe, expect, it } from 'vitest';
import { ANONYMOUS_ID_KEY, loadAnonymousId } from '../src/identity/anonymous-id.js';
import { fakeCookies, fakeStore, sequentialIds } from './fakes.js';

describe('loadAnonymousId', () => {
  it('makes an id on the first visit and keeps it in localStorage and a cookie', () => {
    const store = fakeStore();
    const cookies = fakeCookies();
    const id = loadAnonymousId(store, cookies, sequentialIds('anon'));
    expect(id).toBe('anon-00000001');
    expect(store.values.get(ANONYMOUS_ID_KEY)).toBe(id);
    expect(cookies.values.get(ANONYMOUS_ID_KEY)).toBe(id);
  });

  it('returns the same id on the next visit', () => {
    const store = fakeStore();
    const cookies = fakeCookies();
    const first = loadAnonymousId(store, cookies, sequentialIds('one'));
    expect(loadAnonymousId(store, cookies, sequentialIds('two'))).toBe(first);
  });

  it('restores localStorage from the cookie copy', () => {
    const store = fakeStore();
    const id = loadAnonymousId(store, fakeCookies({ [ANONYMOUS_ID_KEY]: 'from-cookie-42' }), sequentialIds());
    expect(id).toBe('from-cookie-42');
    expect(store.values.get(ANONYMOUS_ID_KEY)).toBe('from-cookie-42');
  });

  it('replaces a stored value that is not a valid id', () => {
    const id = loadAnonymousId(fakeStore({ [ANONYMOUS_ID_KEY]: '<script>' }), fakeCookies(), sequentialIds('fresh'));
    expect(id).toBe('fresh-00000001');
  });
});

import { validateEvent, type SessionflowEvent } from '@sessionflow/core';
import { describe, expect, it } from 'vitest';
import { resolveConfig, type InitOptions } from '../src/config.js';
import { ANONYMOUS_ID_KEY } from '../src/identity/anonymous-id.js';
import { memoryQueue } from '../src/queue/memory-queue.js';
import { createTracker, USER_ID_KEY } from '../src/tracker.js';
import { fakeCookies, fakeStore, fakeTransport, sequentialIds } from './fakes.js';

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

function setup(options: Partial<InitOptions> = {}, stored: Record<string, string> = {}, url = 'https://shop.example.com/') {
  const store = fakeStore(stored);
  const cookies = fakeCookies();
  let now = T0;
  const page = { url, referrer: '', title: 'Shop' };
  const tracker = createTracker({
    config: resolveConfig({ siteKey: 'demo-site-key', endpoint: 'https://edge.example.com', ...options }),
    store,
    cookies,
    queue: memoryQueue<SessionflowEvent>(),
    transport: fakeTransport(),
    readPage: () => ({ ...page }),
    now: () => now,
    newId: sequentialIds(),
  });
  return { tracker, store, cookies, page, advance: (ms: number) => (now += ms) };
}

describe('identify', () => {
  it('links the anonymous id to the user without changing it or the session, and later events carry the user', () => {
    const { tracker } = setup();
    const before = tracker.page()!;
    const link = tracker.identify('user-42', { plan: 'pro' })!;
    const after = tracker.track('add_to_cart')!;
    expect(before.userId).toBeUndefined();
    expect(link).toMatchObject({ type: 'identify', userId: 'user-42', traits: { plan: 'pro' }, anonymousId: before.anonymousId, sessionId: before.sessionId });
    expect(after).toMatchObject({ userId: 'user-42', anonymousId: before.anonymousId, sessionId: before.sessionId });
    for (const event of [before, link, after]) expect(validateEvent(JSON.parse(JSON.stringify(event))).ok).toBe(true);
  });

  it('is remembered across page loads', () => {
    const first = setup();
    first.tracker.identify('user-42');
    const next = setup({}, Object.fromEntries(first.store.values));
    expect(next.tracker.page()!.userId).toBe('user-42');
  });

  it('as a different user starts afresh: new anonymous id and session', () => {
    const { tracker } = setup();
    const first = tracker.identify('user-42')!;
    const second = tracker.identify('user-77')!;
    expect(second.userId).toBe('user-77');
    expect(second.anonymousId).not.toBe(first.anonymousId);
    expect(second.sessionId).not.toBe(first.sessionId);
  });

  it('refuses an empty user id', () => {
    const { tracker } = setup();
    expect(tracker.identify('   ')).toBeUndefined();
    expect(tracker.userId()).toBeUndefined();
  });
});

describe('reset', () => {
  it('starts a new anonymous id and session with no user, and stores the new id', () => {
    const { tracker, store, cookies } = setup();
    const before = tracker.identify('user-42')!;
    tracker.reset();
    const after = tracker.track('viewed')!;
    expect(after.userId).toBeUndefined();
    expect(after.anonymousId).not.toBe(before.anonymousId);
    expect(after.sessionId).not.toBe(before.sessionId);
    expect(store.values.get(ANONYMOUS_ID_KEY)).toBe(after.anonymousId);
    expect(cookies.values.get(ANONYMOUS_ID_KEY)).toBe(after.anonymousId);
    expect(store.values.has(USER_ID_KEY)).toBe(false);
  });
});

describe('sessions and campaigns', () => {
  it('starts a new session when a page view comes from another campaign', () => {
    const { tracker, page, advance } = setup({}, {}, 'https://shop.example.com/?utm_source=news&utm_medium=email&utm_campaign=spring');
    const landing = tracker.page()!;
    advance(60_000);
    page.url = 'https://shop.example.com/shoes';
    const inside = tracker.page()!;
    advance(60_000);
    page.url = 'https://shop.example.com/?utm_source=google&utm_medium=cpc&utm_campaign=shoes';
    const fromAd = tracker.page()!;
    expect(inside.sessionId).toBe(landing.sessionId);
    expect(fromAd.sessionId).not.toBe(landing.sessionId);
    expect(fromAd.seq).toBe(0);
  });
});

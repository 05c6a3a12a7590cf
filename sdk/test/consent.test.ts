import type { SessionflowEvent } from '@sessionflow/core';
import { describe, expect, it } from 'vitest';
import { resolveConfig, type InitOptions } from '../src/config.js';
import { ANONYMOUS_ID_KEY } from '../src/identity/anonymous-id.js';
import { CONSENT_KEY } from '../src/privacy/consent.js';
import { memoryQueue } from '../src/queue/memory-queue.js';
import { createTracker } from '../src/tracker.js';
import { fakeCookies, fakeStore, fakeTransport, queueLength, sequentialIds } from './fakes.js';

function setup(options: Partial<InitOptions> = {}, privacySignal = false, stored: Record<string, string> = {}) {
  const store = fakeStore(stored);
  const cookies = fakeCookies();
  const queue = memoryQueue<SessionflowEvent>();
  const transport = fakeTransport();
  const tracker = createTracker({
    config: resolveConfig({ siteKey: 'demo-site-key', endpoint: 'https://edge.example.com', ...options }),
    store,
    cookies,
    queue,
    transport,
    readPage: () => ({ url: 'https://shop.example.com/', referrer: '', title: 'Shop' }),
    now: () => Date.UTC(2025, 0, 15),
    newId: sequentialIds(),
    privacySignal,
  });
  const sentIds = () => transport.sent.flatMap((batch) => batch.body.events.map((event) => event.eventId));
  return { tracker, store, cookies, queue, sentIds };
}

describe('consent required', () => {
  it('sends and stores nothing before consent, and does not open the queue', async () => {
    const { tracker, store, cookies, queue, sentIds } = setup({ requireConsent: true });
    let opened = 0;
    for (const op of ['peek', 'enqueue', 'remove'] as const) {
      const original = queue[op] as (...a: unknown[]) => Promise<unknown>;
      (queue as unknown as Record<string, unknown>)[op] = (...a: unknown[]) => ((opened += 1), original(...a));
    }
    tracker.page();
    tracker.track('add_to_cart');
    await tracker.flush();
    tracker.leave();
    expect(opened).toBe(0);
    expect(sentIds()).toEqual([]);
    expect(await queueLength(queue)).toBe(0);
    expect([...store.values.keys()]).toEqual([]);
    expect([...cookies.values.keys()]).toEqual([]);
  });

  it('sends the held events, in order and unchanged, once analytics is granted, and stores the id then', async () => {
    const { tracker, store, cookies, sentIds } = setup({ requireConsent: true });
    const held = [tracker.page()!, tracker.track('add_to_cart')!];
    tracker.consent({ analytics: true });
    const after = tracker.track('purchase')!;
    await tracker.flush();
    expect(sentIds()).toEqual([...held, after].map((event) => event.eventId));
    expect(after.sessionId).toBe(held[0]!.sessionId);
    expect(store.values.get(ANONYMOUS_ID_KEY)).toBe(held[0]!.anonymousId);
    expect(cookies.values.get(ANONYMOUS_ID_KEY)).toBe(held[0]!.anonymousId);
    expect(JSON.parse(store.values.get(CONSENT_KEY)!)).toEqual({ analytics: true });
  });

  it('discards the held events when analytics is refused, and captures nothing after', async () => {
    const { tracker, queue, sentIds } = setup({ requireConsent: true });
    tracker.page();
    tracker.consent({ analytics: false });
    expect(tracker.track('add_to_cart')).toBeUndefined();
    await tracker.flush();
    expect(sentIds()).toEqual([]);
    expect(await queueLength(queue)).toBe(0);
  });

  it('keeps holding when only personalization is answered', async () => {
    const { tracker, sentIds } = setup({ requireConsent: true });
    const view = tracker.page()!;
    tracker.consent({ personalization: false });
    await tracker.flush();
    expect(sentIds()).toEqual([]);
    tracker.consent({ analytics: true });
    await tracker.flush();
    expect(sentIds()).toEqual([view.eventId]);
  });

  it('remembers a grant on the next page load', async () => {
    const first = setup({ requireConsent: true });
    first.tracker.consent({ analytics: true });
    const next = setup({ requireConsent: true }, false, Object.fromEntries(first.store.values));
    const view = next.tracker.page()!;
    await next.tracker.flush();
    expect(next.sentIds()).toEqual([view.eventId]);
  });
});

describe('privacy signals (GPC, Do-Not-Track)', () => {
  it('capture nothing when the site honours them, until the visitor grants consent', async () => {
    const { tracker, sentIds } = setup({ honorPrivacySignals: true }, true);
    expect(tracker.page()).toBeUndefined();
    tracker.consent({ analytics: true });
    const view = tracker.page()!;
    await tracker.flush();
    expect(sentIds()).toEqual([view.eventId]);
  });

  it('change nothing when the site does not honour them', async () => {
    const { tracker, sentIds } = setup({}, true);
    const view = tracker.page()!;
    await tracker.flush();
    expect(sentIds()).toEqual([view.eventId]);
  });
});

describe('optOut', () => {
  it('clears the stored ids and the queue, and nothing more is captured, also on the next load', async () => {
    const { tracker, store, cookies, queue, sentIds } = setup();
    tracker.identify('user-42');
    tracker.page();
    tracker.optOut();
    expect(tracker.track('after')).toBeUndefined();
    await tracker.flush();
    expect(sentIds()).toEqual([]);
    expect(await queueLength(queue)).toBe(0);
    expect([...store.values.keys()]).toEqual([CONSENT_KEY]);
    expect(cookies.values.size).toBe(0);
    const next = setup({}, false, Object.fromEntries(store.values));
    expect(next.tracker.page()).toBeUndefined();
  });
});

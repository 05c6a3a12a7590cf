import { validateEvent, type IdentityVerdict, type SessionflowEvent } from '@sessionflow/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveConfig, type InitOptions } from '../src/config.js';
import { setDebug } from '../src/debug/logger.js';
import { ANONYMOUS_ID_KEY } from '../src/identity/anonymous-id.js';
import { memoryQueue } from '../src/queue/memory-queue.js';
import { createTracker, USER_ID_KEY } from '../src/tracker.js';
import type { TransportResponse } from '../src/transport/transport.js';
import { fakeCookies, fakeStore, fakeTransport, queueLength, sequentialIds, type SentBatch } from './fakes.js';

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

// A compact JWT's shape (header.payload.signature), as the site's server would sign it.
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJl';

function setup(
  options: Partial<InitOptions> = {},
  stored: Record<string, string> = {},
  url = 'https://shop.example.com/',
  answer?: (batch: SentBatch) => TransportResponse | Error | undefined,
) {
  const store = fakeStore(stored);
  const cookies = fakeCookies();
  let now = T0;
  const page = { url, referrer: '', title: 'Shop' };
  const queue = memoryQueue<SessionflowEvent>();
  const transport = fakeTransport(answer);
  const tracker = createTracker({
    config: resolveConfig({ siteKey: 'demo-site-key', endpoint: 'https://edge.example.com', ...options }),
    store,
    cookies,
    queue,
    transport,
    readPage: () => ({ ...page }),
    now: () => now,
    newId: sequentialIds(),
  });
  return { tracker, store, cookies, page, queue, transport, advance: (ms: number) => (now += ms) };
}

afterEach(() => {
  setDebug(false);
  vi.restoreAllMocks();
});

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

  it('carries the site server\u2019s token in the identify event, and nowhere else', async () => {
    const { tracker, store, cookies, queue, transport } = setup();
    const link = tracker.identify('user-42', { plan: 'pro' }, { token: TOKEN })!;
    const after = tracker.track('add_to_cart')!;
    expect(link).toMatchObject({ type: 'identify', userId: 'user-42', token: TOKEN });
    expect(validateEvent(JSON.parse(JSON.stringify(link))).ok).toBe(true);
    // Not kept on the device for later: no stored value, no cookie, no later event holds it.
    const kept = [...store.values.values(), ...cookies.values.values()];
    expect(kept.filter((value) => value.includes(TOKEN))).toEqual([]);
    expect(JSON.stringify(after)).not.toContain(TOKEN);
    // A later identify (the next page load, say) carries only the token it is given.
    expect(JSON.stringify(tracker.identify('user-42'))).not.toContain('token');
    await tracker.flush();
    expect(transport.sent.flatMap((b) => b.body.events).filter((e) => JSON.stringify(e).includes(TOKEN)).map((e) => e.type)).toEqual(['identify']);
    expect(await queueLength(queue)).toBe(0);
  });

  it('sends an identify without a token as one without the field (the edge then links nothing)', async () => {
    const { tracker, transport } = setup();
    tracker.identify('user-42', undefined, {});
    await tracker.flush();
    const [sent] = transport.sent.flatMap((b) => b.body.events);
    expect(sent).toMatchObject({ type: 'identify', userId: 'user-42' });
    expect(Object.keys(sent!)).not.toContain('token');
    expect(validateEvent(sent).ok).toBe(true);
  });

  it.each<[string, IdentityVerdict, RegExp]>([
    ['verified', { verified: true, userId: 'user-42' }, /identity verified: user-42/],
    ['refused', { verified: false, reason: 'token_expired' }, /identity not verified: token_expired/],
  ])('shows the edge\u2019s verdict on the identify in the debug output (%s)', async (_label, identity, message) => {
    setDebug(true);
    const logged: unknown[][] = [];
    vi.spyOn(console, 'debug').mockImplementation((...args: unknown[]) => void logged.push(args));
    const { tracker } = setup({ debug: true }, {}, undefined, () => ({ status: 200, body: { accepted: 1, rejected: [], actions: [], identity } }));
    tracker.identify('user-42', undefined, { token: TOKEN });
    await tracker.flush();
    const verdicts = logged.filter(([text]) => String(text).includes('identity'));
    expect(verdicts).toHaveLength(1);
    expect(String(verdicts[0]![0])).toMatch(message);
    expect(verdicts[0]![1]).toEqual(identity);
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
  it('sends the events from before and after it in separate requests, one anonymous id each', async () => {
    const { tracker, transport } = setup({ maxBatch: 50 });
    const before = [tracker.identify('user-42', undefined, { token: TOKEN })!, tracker.track('viewed')!];
    tracker.reset();
    const after = [tracker.track('viewed')!, tracker.page()!];
    await tracker.flush();
    expect(transport.sent.map((b) => b.body.events.map((e) => e.eventId))).toEqual([before.map((e) => e.eventId), after.map((e) => e.eventId)]);
    const visitors = transport.sent.map((b) => new Set(b.body.events.map((e) => (e as unknown as SessionflowEvent).anonymousId)).size);
    expect(visitors).toEqual([1, 1]);
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

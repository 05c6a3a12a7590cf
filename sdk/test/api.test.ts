// @vitest-environment happy-dom
import { validateEvent } from '@sessionflow/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as sdk from '../src/api.js';

interface Posted {
  url: string;
  init: RequestInit;
  events: Record<string, unknown>[];
}

let posted: Posted[];

beforeEach(() => {
  localStorage.clear();
  document.cookie = 'sf_aid=; Max-Age=0; Path=/';
  document.title = 'Demo store';
  document.body.innerHTML = `
    <section data-sf-category="lamps">
      <article class="card" data-sf-product="sku-1003" data-sf-slot="grid">
        <h3>Desk lamp</h3><button type="button" class="view">View</button>
      </article>
    </section>`;
  posted = [];
  // Scroll depth is measured in an animation frame; held here so each test sees only the events it makes.
  vi.stubGlobal('requestAnimationFrame', () => 0);
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    posted.push({ url, init, events: (JSON.parse(init.body as string) as { events: Record<string, unknown>[] }).events });
    return new Response(JSON.stringify({ accepted: 1, rejected: [], actions: [] }), { status: 200, headers: { 'content-type': 'application/json' } });
  });
});

afterEach(() => {
  sdk.shutdown();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('init in a browser', () => {
  it('sends a page view, then the click on a product, with one identity and session', async () => {
    sdk.init({ siteKey: 'demo-site-key', endpoint: 'http://127.0.0.1:8787/' });
    document.querySelector<HTMLButtonElement>('button.view')!.click();
    await sdk.flush();

    expect(posted).toHaveLength(1);
    const [request] = posted;
    expect(request!.url).toBe('http://127.0.0.1:8787/v1/collect?site=demo-site-key');
    // A string body: text/plain, which needs no CORS preflight. Visible: no keepalive (see transport.ts).
    expect(request!.init).toMatchObject({ method: 'POST', keepalive: false });
    expect(request!.init.headers).toBeUndefined();
    expect(typeof request!.init.body).toBe('string');

    const [view, click] = request!.events;
    expect(view).toMatchObject({ type: 'page_view', page: { url: location.href, title: 'Demo store' } });
    expect(click).toMatchObject({
      type: 'click',
      element: { tag: 'button', text: 'View' },
      product: { id: 'sku-1003', category: 'lamps', slot: 'grid' },
    });
    for (const event of [view, click]) {
      expect(event).toMatchObject({ anonymousId: sdk.anonymousId(), sessionId: sdk.sessionId() });
      expect(validateEvent(event).ok).toBe(true);
    }
  });

  it('keeps the anonymous id in localStorage and a cookie, and reuses it on the next page', async () => {
    sdk.init({ siteKey: 'demo-site-key', endpoint: 'http://127.0.0.1:8787' });
    const id = sdk.anonymousId();
    const session = sdk.sessionId();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(localStorage.getItem('sf_aid')).toBe(id);
    expect(document.cookie).toContain(`sf_aid=${id}`);
    expect(JSON.parse(localStorage.getItem('sf_sess')!)).toMatchObject({ id: session });

    // The next page load: a new tracker over the same storage.
    sdk.shutdown();
    sdk.init({ siteKey: 'demo-site-key', endpoint: 'http://127.0.0.1:8787' });
    expect(sdk.anonymousId()).toBe(id);
    expect(sdk.sessionId()).toBe(session);
  });

  it('flushes when the page is hidden', async () => {
    sdk.init({ siteKey: 'demo-site-key', endpoint: 'http://127.0.0.1:8787', flushIntervalMs: 60_000 });
    vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    document.dispatchEvent(new Event('visibilitychange'));
    await vi.waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]!.events[0]!['type']).toBe('page_view');
    // Hidden may be the page's last moment: this request may outlive it.
    expect(posted[0]!.init.keepalive).toBe(true);
  });

  it('sends what the page holds by beacon, as text, when the page is left', () => {
    const beacons: { url: string; body: string }[] = [];
    vi.stubGlobal('navigator', Object.assign(Object.create(navigator) as Navigator, {
      sendBeacon: (url: string, body: string) => (beacons.push({ url, body }), true),
    }));
    sdk.init({ siteKey: 'demo-site-key', endpoint: 'http://127.0.0.1:8787', flushIntervalMs: 60_000 });
    document.querySelector<HTMLButtonElement>('button.view')!.click();
    window.dispatchEvent(new Event('pagehide'));
    expect(beacons).toHaveLength(1);
    expect(beacons[0]!.url).toBe('http://127.0.0.1:8787/v1/collect?site=demo-site-key');
    const events = (JSON.parse(beacons[0]!.body) as { events: { type: string }[] }).events;
    // The dwell reported on pagehide may follow, if a millisecond of active time passed.
    expect(events.map((e) => e.type).slice(0, 2)).toEqual(['page_view', 'click']);
  });

  it('makes a route change through pushState a new page view, with the previous URL as referrer, after the old one\'s dwell', async () => {
    history.replaceState(null, '', '/');
    const home = location.href;
    vi.useFakeTimers({ now: Date.UTC(2025, 0, 15), toFake: ['Date'] });
    try {
      sdk.init({ siteKey: 'demo-site-key', endpoint: 'http://127.0.0.1:8787', flushIntervalMs: 60_000 });
      vi.setSystemTime(Date.UTC(2025, 0, 15) + 2000);
      history.pushState(null, '', '/products/sku-1003');
      history.replaceState({ scrollY: 10 }, '', '/products/sku-1003');
      document.querySelector<HTMLButtonElement>('button.view')!.click();
    } finally {
      vi.useRealTimers();
    }
    await sdk.flush();

    const events = posted.flatMap((p) => p.events) as { type: string; activeMs?: number; page: { url: string; referrer?: string; pageViewId: string } }[];
    expect(events.map((e) => e.type)).toEqual(['page_view', 'dwell', 'page_view', 'click']);
    const [first, dwell, second, click] = events;
    expect(first!.page.url).toBe(home);
    expect(dwell).toMatchObject({ activeMs: 2000, page: { url: home, pageViewId: first!.page.pageViewId } });
    expect(second!.page).toMatchObject({ url: new URL('/products/sku-1003', home).href, referrer: home });
    expect(second!.page.pageViewId).not.toBe(first!.page.pageViewId);
    expect(click!.page.pageViewId).toBe(second!.page.pageViewId);
    for (const event of events) expect(validateEvent(event).ok).toBe(true);
  });

  it('restores history on shutdown', () => {
    const original = history.pushState;
    sdk.init({ siteKey: 'demo-site-key', endpoint: 'http://127.0.0.1:8787' });
    expect(history.pushState).not.toBe(original);
    sdk.shutdown();
    expect(history.pushState).toBe(original);
  });

  it('reports the active time of the page when it is hidden, before the flush that hide starts', async () => {
    vi.useFakeTimers({ now: Date.UTC(2025, 0, 15), toFake: ['Date'] });
    try {
      sdk.init({ siteKey: 'demo-site-key', endpoint: 'http://127.0.0.1:8787', flushIntervalMs: 60_000 });
      vi.setSystemTime(Date.UTC(2025, 0, 15) + 7000);
      vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
      document.dispatchEvent(new Event('visibilitychange'));
      await vi.waitFor(() => expect(posted).toHaveLength(1));
    } finally {
      vi.useRealTimers();
    }
    const [view, dwell] = posted[0]!.events;
    expect(dwell).toMatchObject({ type: 'dwell', activeMs: 7000, page: { pageViewId: (view!['page'] as { pageViewId: string }).pageViewId } });
    expect(validateEvent(dwell).ok).toBe(true);
  });

  it('passes the site server\u2019s token with identify, and sends every request with an abort signal (its timeout)', async () => {
    sdk.init({ siteKey: 'demo-site-key', endpoint: 'http://127.0.0.1:8787', requestTimeoutMs: 3000 });
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJl';
    sdk.identify('user-42', { plan: 'pro' }, { token });
    await sdk.flush();
    const identify = posted.flatMap((p) => p.events).find((e) => e['type'] === 'identify');
    expect(identify).toMatchObject({ userId: 'user-42', traits: { plan: 'pro' }, token });
    expect(validateEvent(identify).ok).toBe(true);
    expect(posted.every((p) => p.init.signal instanceof AbortSignal)).toBe(true);
    expect(Object.values(localStorage).some((value) => String(value).includes(token))).toBe(false);
  });

  it('ignores a second init', async () => {
    sdk.init({ siteKey: 'demo-site-key', endpoint: 'http://127.0.0.1:8787' });
    sdk.init({ siteKey: 'other-key', endpoint: 'http://other.test' });
    await sdk.flush();
    expect(posted.map((p) => p.url)).toEqual(['http://127.0.0.1:8787/v1/collect?site=demo-site-key']);
    expect(posted[0]!.events).toHaveLength(1);
  });
});

describe('scroll depth in a browser', () => {
  it('is measured from the window after a scroll, on the current page view', async () => {
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal('requestAnimationFrame', (run: FrameRequestCallback) => frames.push(run));
    vi.spyOn(document.documentElement, 'scrollHeight', 'get').mockReturnValue(4 * window.innerHeight);
    sdk.init({ siteKey: 'demo-site-key', endpoint: 'http://127.0.0.1:8787', flushIntervalMs: 60_000 });
    frames.splice(0).forEach((run) => run(0));
    expect(window.scrollY).toBe(0);
    Object.defineProperty(window, 'scrollY', { configurable: true, value: window.innerHeight });
    window.dispatchEvent(new Event('scroll'));
    frames.splice(0).forEach((run) => run(0));
    Reflect.deleteProperty(window, 'scrollY');
    await sdk.flush();
    const events = posted.flatMap((p) => p.events);
    expect(events.map((e) => [e['type'], e['depth']])).toEqual([['page_view', undefined], ['scroll', 25], ['scroll', 50]]);
    expect(new Set(events.map((e) => (e['page'] as { pageViewId: string }).pageViewId)).size).toBe(1);
  });
});

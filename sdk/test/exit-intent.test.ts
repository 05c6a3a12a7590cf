// @vitest-environment happy-dom
import { validateEvent } from '@sessionflow/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as sdk from '../src/api.js';
import { captureExitIntent } from '../src/capture/exit-intent.js';

/** The pointer leaves `from` at height `clientY`; `to` is the element it enters, null when it leaves the document. */
function pointerOut(clientY: number, to: Element | null = null, from: Element = document.body) {
  from.dispatchEvent(new MouseEvent('mouseout', { bubbles: true, clientX: 400, clientY, relatedTarget: to }));
}

describe('captureExitIntent', () => {
  let lifetime: AbortController;
  let reset: () => void;
  let reports: number;
  beforeEach(() => {
    document.body.innerHTML = '<header>Shop</header><main><button>Checkout</button></main>';
    lifetime = new AbortController();
    reports = 0;
    reset = captureExitIntent(document, lifetime.signal, () => (reports += 1));
  });
  afterEach(() => lifetime.abort());

  it('reports a leave through the top edge once per page view', () => {
    pointerOut(0, null, document.querySelector('button')!);
    pointerOut(-4);
    pointerOut(0);
    expect(reports).toBe(1);
  });

  it('ignores a leave through a side or the bottom', () => {
    pointerOut(300);
    pointerOut(window.innerHeight);
    expect(reports).toBe(0);
    pointerOut(0);
    expect(reports).toBe(1);
  });

  it('ignores a move onto another element of the page, even at the top', () => {
    pointerOut(0, document.querySelector('header'), document.querySelector('main')!);
    expect(reports).toBe(0);
  });

  it('reports again after a reset (a new page view)', () => {
    pointerOut(0);
    reset();
    pointerOut(0);
    pointerOut(0);
    expect(reports).toBe(2);
  });

  it('stops listening when its signal aborts', () => {
    lifetime.abort();
    pointerOut(0);
    expect(reports).toBe(0);
  });
});

describe('exit intent in a browser', () => {
  let posted: Record<string, unknown>[];

  beforeEach(() => {
    localStorage.clear();
    document.cookie = 'sf_aid=; Max-Age=0; Path=/';
    document.body.innerHTML = '<main><button>Checkout</button></main>';
    history.replaceState(null, '', '/');
    posted = [];
    vi.stubGlobal('requestAnimationFrame', () => 0);
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      posted.push(...(JSON.parse(init.body as string) as { events: Record<string, unknown>[] }).events);
      return new Response(JSON.stringify({ accepted: 1, rejected: [], actions: [] }), { status: 200 });
    });
  });

  afterEach(() => {
    sdk.shutdown();
    vi.unstubAllGlobals();
  });

  const start = (options: Partial<Parameters<typeof sdk.init>[0]> = {}) =>
    sdk.init({ siteKey: 'demo-site-key', endpoint: 'http://127.0.0.1:8787', flushIntervalMs: 60_000, ...options });
  // Dwell may or may not be reported on a route change, depending on whether a millisecond passed.
  const sent = () => posted.filter((event) => event['type'] !== 'dwell') as { type: string; name?: string; page: { pageViewId: string } }[];

  it('sends track exit_intent once per page view, again after a single-page-app route change', async () => {
    start();
    pointerOut(0);
    pointerOut(0);
    history.pushState(null, '', '/cart');
    pointerOut(0);
    pointerOut(0);
    await sdk.flush();

    const events = sent();
    expect(events.map((e) => [e.type, e.name])).toEqual([
      ['page_view', undefined],
      ['track', 'exit_intent'],
      ['page_view', undefined],
      ['track', 'exit_intent'],
    ]);
    const [home, leaveHome, cart, leaveCart] = events;
    expect(leaveHome!.page.pageViewId).toBe(home!.page.pageViewId);
    expect(leaveCart!.page.pageViewId).toBe(cart!.page.pageViewId);
    expect(cart!.page.pageViewId).not.toBe(home!.page.pageViewId);
    for (const event of events) expect(validateEvent(event).ok).toBe(true);
  });

  it('sends nothing before consent where consent is required, and the held exit intent once analytics is granted', async () => {
    start({ requireConsent: true });
    pointerOut(0);
    await sdk.flush();
    expect(posted).toEqual([]);

    sdk.consent({ analytics: true });
    await sdk.flush();
    expect(sent().map((e) => [e.type, e.name])).toEqual([
      ['page_view', undefined],
      ['track', 'exit_intent'],
    ]);
  });

  it('sends nothing when the visitor refused', async () => {
    start({ requireConsent: true });
    sdk.consent({ analytics: false });
    pointerOut(0);
    await sdk.flush();
    expect(posted).toEqual([]);
  });
});

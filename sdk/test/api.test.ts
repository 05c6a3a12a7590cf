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
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    posted.push({ url, init, events: (JSON.parse(init.body as string) as { events: Record<string, unknown>[] }).events });
    return new Response(JSON.stringify({ accepted: 1, rejected: [], actions: [] }), { status: 200, headers: { 'content-type': 'application/json' } });
  });
});

afterEach(() => {
  sdk.reset();
  vi.unstubAllGlobals();
});

describe('init in a browser', () => {
  it('sends a page view, then the click on a product, with one identity and session', async () => {
    sdk.init({ siteKey: 'demo-site-key', endpoint: 'http://127.0.0.1:8787/' });
    document.querySelector<HTMLButtonElement>('button.view')!.click();
    await sdk.flush();

    expect(posted).toHaveLength(1);
    const [request] = posted;
    expect(request!.url).toBe('http://127.0.0.1:8787/v1/collect?site=demo-site-key');
    expect(request!.init).toMatchObject({ method: 'POST', keepalive: true, headers: { 'Content-Type': 'application/json' } });

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
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(localStorage.getItem('sf_aid')).toBe(id);
    expect(document.cookie).toContain(`sf_aid=${id}`);
    expect(JSON.parse(localStorage.getItem('sf_sess')!)).toMatchObject({ id: session });

    // The next page load: a new tracker over the same storage.
    sdk.reset();
    sdk.init({ siteKey: 'demo-site-key', endpoint: 'http://127.0.0.1:8787' });
    expect(sdk.anonymousId()).toBe(id);
    expect(sdk.sessionId()).toBe(session);
  });

  it('flushes when the page is hidden', async () => {
    sdk.init({ siteKey: 'demo-site-key', endpoint: 'http://127.0.0.1:8787', flushIntervalMs: 60_000 });
    window.dispatchEvent(new Event('pagehide'));
    await vi.waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]!.events.map((e) => e['type'])).toEqual(['page_view']);
  });

  it('ignores a second init', async () => {
    sdk.init({ siteKey: 'demo-site-key', endpoint: 'http://127.0.0.1:8787' });
    sdk.init({ siteKey: 'other-key', endpoint: 'http://other.test' });
    await sdk.flush();
    expect(posted.map((p) => p.url)).toEqual(['http://127.0.0.1:8787/v1/collect?site=demo-site-key']);
    expect(posted[0]!.events).toHaveLength(1);
  });
});

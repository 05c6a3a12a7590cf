// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

interface Posted {
  events: { type: string; name?: string; userId?: string; token?: string }[];
}

let posted: Posted[];

beforeEach(() => {
  vi.resetModules();
  localStorage.clear();
  posted = [];
  vi.stubGlobal('requestAnimationFrame', () => 0);
  vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
    posted.push(JSON.parse(init.body as string) as Posted);
    return new Response('{"accepted":1,"rejected":[],"actions":[]}', { status: 200 });
  });
});

afterEach(async () => {
  (await import('../src/api.js')).shutdown();
  delete window.sessionflow;
  vi.unstubAllGlobals();
});

/** The README's stub snippet, as a site pastes it. */
function pasteStub(): void {
  // eslint-disable-next-line no-new-func
  new Function(
    '!function(w){var s=w.sessionflow=w.sessionflow||{q:[]};s.q&&"init track page identify reset consent optOut on flush".split(" ").forEach(function(m){s[m]=s[m]||function(){s.q.push([m,[].slice.call(arguments)])}})}(window)',
  )();
}

describe('the script-tag entry', () => {
  it('keeps the calls made before it loaded and makes them, in order, once it has', async () => {
    pasteStub();
    const early = window.sessionflow as unknown as Record<string, (...a: unknown[]) => void>;
    early['init']!({ siteKey: 'demo-site-key', endpoint: 'http://127.0.0.1:8787' });
    early['identify']!('user-42');
    early['track']!('add_to_cart', { productId: 'sku-1001' });
    await import('../src/browser.js');
    const api = window.sessionflow as { flush(): Promise<void>; userId(): string | undefined };
    await api.flush();
    const events = posted.flatMap((p) => p.events);
    expect(events.map((e) => e.type)).toEqual(['page_view', 'identify', 'track']);
    expect(events[2]).toMatchObject({ name: 'add_to_cart', userId: 'user-42' });
    expect(api.userId()).toBe('user-42');
  });

  it('keeps all three arguments of a queued identify, the token included', async () => {
    pasteStub();
    const early = window.sessionflow as unknown as Record<string, (...a: unknown[]) => void>;
    early['init']!({ siteKey: 'demo-site-key', endpoint: 'http://127.0.0.1:8787' });
    early['identify']!('user-42', { plan: 'pro' }, { token: 'aaa.bbb.ccc' });
    await import('../src/browser.js');
    await (window.sessionflow as { flush(): Promise<void> }).flush();
    const identify = posted.flatMap((p) => p.events).find((e) => e.type === 'identify');
    expect(identify).toMatchObject({ userId: 'user-42', token: 'aaa.bbb.ccc' });
  });

  it('reports a bad queued call and still makes the rest', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    pasteStub();
    const early = window.sessionflow as unknown as Record<string, (...a: unknown[]) => void>;
    early['init']!({ siteKey: 'demo-site-key' });
    early['init']!({ siteKey: 'demo-site-key', endpoint: 'http://127.0.0.1:8787' });
    await import('../src/browser.js');
    await (window.sessionflow as { flush(): Promise<void> }).flush();
    expect(errors).toHaveBeenCalledWith(expect.objectContaining({ message: expect.stringMatching(/endpoint/) }));
    expect(posted.flatMap((p) => p.events).map((e) => e.type)).toEqual(['page_view']);
  });
});

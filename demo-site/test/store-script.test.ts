/**
 * public/store.js in a DOM (happy-dom): it passes the token the server signed
 * to `sessionflow.identify` on a signed-in page load and at sign-in, and resets
 * the SDK at sign-out. The SDK is a recorder here; the server is scripted.
 */
import { readFileSync } from 'node:fs';
import { Window, type HTMLButtonElement } from 'happy-dom';
import { describe, expect, it, vi } from 'vitest';
import { productById } from '../src/catalog/products.js';
import { renderAccount, renderIdentity, renderPageTracking } from '../src/storefront/render.js';
import type { TrackCall } from '../src/storefront/tracking.js';
import { addToCartButton } from '../src/storefront/views/card.js';
import { PUBLIC_DIR } from '../src/server.js';

const STORE_JS = readFileSync(`${PUBLIC_DIR}/store.js`, 'utf8');

type Call = [method: string, ...args: unknown[]];

/** A page as the server renders it (account button, identity when signed in), with store.js run in it. */
function openPage(signedIn: { userId: string; traits: Record<string, string>; token: string } | undefined, answers: Record<string, [number, unknown]>, page: { head?: string; body?: string } = {}) {
  const window = new Window({ url: 'http://shop.test/' });
  const { document } = window;
  document.head.innerHTML = renderIdentity(signedIn) + (page.head ?? '');
  document.body.innerHTML = renderAccount(signedIn) + (page.body ?? '');
  const calls: Call[] = [];
  const record = (method: string) => (...args: unknown[]) => void calls.push([method, ...args]);
  (window as unknown as { sessionflow: unknown }).sessionflow = { identify: record('identify'), reset: record('reset'), track: record('track') };
  const requests: string[] = [];
  const bodies: unknown[] = [];
  const fetch = async (path: string, init: RequestInit) => {
    requests.push(`${init.method} ${path}`);
    if (typeof init.body === 'string') bodies.push(JSON.parse(init.body));
    const [status, body] = answers[path] ?? [404, { error: 'not_found' }];
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  const consoleErrors: string[] = [];
  const console = { error: (message: string) => consoleErrors.push(message) };
  new Function('window', 'document', 'fetch', 'Element', 'console', STORE_JS)(window, document, fetch, window.Element, console);
  const button = () => document.querySelector('button.account') as HTMLButtonElement;
  return { calls, requests, bodies, consoleErrors, button, document, close: () => window.happyDOM.close() };
}

const SIGNED_IN = { userId: 'demo-user-1', traits: { plan: 'demo' }, token: 'header.payload.signature' };

describe('store.js', () => {
  it('identifies a signed-in visitor on page load with the token the page carries', () => {
    const page = openPage(SIGNED_IN, {});
    expect(page.calls).toEqual([['identify', 'demo-user-1', { plan: 'demo' }, { token: 'header.payload.signature' }]]);
    expect(page.button().dataset['action']).toBe('sign-out');
    void page.close();
  });

  it('does not identify a signed-out visitor', () => {
    const page = openPage(undefined, {});
    expect(page.calls).toEqual([]);
    void page.close();
  });

  it('at sign-in asks the server for a token and identifies with it; at sign-out tells the server and resets the SDK', async () => {
    const page = openPage(undefined, {
      '/api/sign-in': [200, { userId: 'demo-user-1', traits: { plan: 'demo' }, token: 'fresh.signed.token' }],
      '/api/sign-out': [200, { signedOut: true }],
    });
    page.button().click();
    await vi.waitFor(() => expect(page.button().dataset['action']).toBe('sign-out'));
    expect(page.button().dataset['testid']).toBe('sign-out');
    expect(page.calls).toEqual([['identify', 'demo-user-1', { plan: 'demo' }, { token: 'fresh.signed.token' }]]);

    page.button().click();
    await vi.waitFor(() => expect(page.button().dataset['action']).toBe('sign-in'));
    expect(page.calls.at(-1)).toEqual(['reset']);
    expect(page.requests).toEqual(['POST /api/sign-in', 'POST /api/sign-out']);
    void page.close();
  });

  it('stays signed out, identifying nobody, when the server refuses the sign-in, and says why', async () => {
    const page = openPage(undefined, { '/api/sign-in': [503, { error: 'identity_not_configured', message: 'SITE_IDENTITY_SECRET is not set' }] });
    page.button().click();
    await vi.waitFor(() => expect(page.consoleErrors).toHaveLength(1));
    expect(page.consoleErrors[0]).toContain('SITE_IDENTITY_SECRET');
    expect(page.calls).toEqual([]);
    expect(page.button().dataset['action']).toBe('sign-in');
    expect(page.button().disabled).toBe(false);
    void page.close();
  });

  it('sends what the page says it is about (a product view) once it has loaded', () => {
    const call = ['product_view', { productId: 'sku-1003', category: 'furniture', priceCents: 32900 }];
    const page = openPage(undefined, {}, { head: renderPageTracking([call as TrackCall]) });
    expect(page.calls).toEqual([['track', ...call]]);
    void page.close();
  });

  it('puts a product in the cart through the server, shows the new count and tracks the add_to_cart the server answered', async () => {
    const track = ['add_to_cart', { productId: 'sku-1002', category: 'lighting', quantity: 2, priceCents: 7900 }];
    const page = openPage(
      undefined,
      { '/api/cart': [200, { cart: { items: [{ productId: 'sku-1002', quantity: 2 }], units: 2, lines: [], subtotal: '€158.00', shipping: 'Free', total: '€158.00' }, track }] },
      {
        body: `<span data-cart-count>0</span><article class="product-detail"><div class="buy-row"><input data-quantity value="2">${addToCartButton(productById('sku-1002')!)}</div><p data-cart-note></p></article>`,
      },
    );
    (page.document.querySelector('[data-action="add-to-cart"]') as unknown as HTMLButtonElement).click();
    await vi.waitFor(() => expect(page.calls).toEqual([['track', ...track]]));
    expect(page.requests).toEqual(['POST /api/cart']);
    expect(page.bodies).toEqual([{ productId: 'sku-1002', quantity: 2 }]);
    expect(page.document.querySelector('[data-cart-count]')!.textContent).toBe('2');
    void page.close();
  });
});

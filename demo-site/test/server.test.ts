/** The storefront's pages through a real HTTP server: what each route shows, the SDK wiring, and the assets. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORIES, CLASSICS, PRODUCTS, SdkNotBuiltError, startDemoSite, type DemoSite } from '../src/server.js';

const SDK_SOURCE = '/* fake sdk */ window.sessionflow = {};\n';
const SITE_KEY = 'demo"<key>&$&';
const EDGE_URL = 'http://127.0.0.1:9/?a=<b>&c="d"';

let dir: string;
let site: DemoSite;

/** Undoes HTML character references, independently of how the server wrote them. */
function decodeHtml(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref.startsWith('#x') || ref.startsWith('#X')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)));
    return named[ref.toLowerCase()] ?? whole;
  });
}

function attribute(html: string, tagPattern: RegExp, name: string): string | undefined {
  const tag = html.match(tagPattern)?.[0];
  const value = tag?.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];
  return value === undefined ? undefined : decodeHtml(value);
}

/** The product cards of a page: [id, category, slot], in page order. */
const cards = (html: string) =>
  [...html.matchAll(/<article class="product" data-testid="product-card" data-sf-product="([^"]+)" data-sf-category="([^"]+)" data-sf-slot="([^"]+)"/g)].map((m) => [m[1], m[2], m[3]]);

/** The JSON of `<script type="application/json" id="…">`, or undefined. */
function jsonScript(html: string, id: string): unknown {
  const text = html.match(new RegExp(`<script type="application/json" id="${id}">([^<]*)</script>`))?.[1];
  return text === undefined ? undefined : JSON.parse(text);
}

async function get(path: string, init?: RequestInit): Promise<{ status: number; html: string; response: Response }> {
  const response = await fetch(`${site.url}${path}`, { redirect: 'manual', ...init });
  return { status: response.status, html: await response.text(), response };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'demo-site-test-'));
  writeFileSync(join(dir, 'sessionflow.min.js'), SDK_SOURCE);
  site = await startDemoSite({ port: 0, edgeUrl: EDGE_URL, siteKey: SITE_KEY, sdkFile: join(dir, 'sessionflow.min.js') });
});

afterAll(async () => {
  await site?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('startDemoSite', () => {
  it('listens on a free port when asked for port 0, and says which in its url', () => {
    expect(site.port).toBeGreaterThan(0);
    expect(site.url).toBe(`http://127.0.0.1:${site.port}`);
  });

  it.each(['/', '/c/lighting', '/p/sku-1001', '/search?q=lamp', '/cart', '/checkout'])('serves %s with the SDK by script tag, the site key and endpoint filled in, escaped', async (path) => {
    const { status, html, response } = await get(path);
    expect(status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const sdkTag = /<script[^>]*sessionflow\.min\.js[^>]*>/;
    expect(attribute(html, sdkTag, 'data-site-key')).toBe(SITE_KEY);
    expect(attribute(html, sdkTag, 'data-endpoint')).toBe(EDGE_URL);
    expect(attribute(html, sdkTag, 'src')).toBe('/sdk/sessionflow.min.js');
    expect(html).toContain('<script defer src="/store.js"></script>');
    expect(html).not.toContain('<key>');
    expect(html).not.toContain('<b>');
    // Every page has the banner and offer slots, the search box and the cart count.
    for (const marker of ['data-sf-slot="banner"', 'data-sf-slot="offer"', 'data-testid="search-input"', 'data-testid="cart-count"', 'data-testid="sign-in"']) expect(html).toContain(marker);
  });

  it('shows the departments and the eight favourites on the home page as cards the SDK can read, with a quick view, and a recommendations slot', async () => {
    const { html } = await get('/');
    const favourites = cards(html).filter(([, , slot]) => slot === 'catalog');
    expect(favourites).toEqual(CLASSICS.map((p) => [p.id, p.category, 'catalog']));
    for (const category of CATEGORIES) expect(html).toContain(`href="/c/${category.id}"`);
    expect(html.match(/data-action="view"/g)?.length).toBe(cards(html).length);
    expect(html).toContain('data-sf-slot="recs"');
  });

  it('lists every product of a category on its page, in stock first, and sorts by price', async () => {
    const { html } = await get('/c/kitchen');
    const kitchen = PRODUCTS.filter((p) => p.category === 'kitchen');
    const shown = cards(html);
    expect(shown.map(([id]) => id).sort()).toEqual(kitchen.map((p) => p.id).sort());
    expect(new Set(shown.map(([, category, slot]) => `${category}/${slot}`))).toEqual(new Set(['kitchen/category']));
    const stock = shown.map(([id]) => PRODUCTS.find((p) => p.id === id)!.inStock);
    expect(stock.indexOf(false)).toBeGreaterThan(stock.lastIndexOf(true));
    const prices = cards((await get('/c/kitchen?sort=price-asc')).html).map(([id]) => PRODUCTS.find((p) => p.id === id)!);
    const inStock = prices.filter((p) => p.inStock).map((p) => p.priceCents);
    expect(inStock).toEqual([...inStock].sort((a, b) => a - b));
  });

  it('shows a product page with its price, stock, add-to-cart, the "Because you viewed" slot and the product view to track', async () => {
    const product = PRODUCTS.find((p) => p.id === 'sku-1003')!;
    const { html } = await get('/p/sku-1003');
    expect(html).toContain(`<h1 class="product-detail-name">${product.name}</h1>`);
    expect(html).toContain('€329.00');
    expect(html).toMatch(/data-testid="add-to-cart" data-product-id="sku-1003"/);
    expect(html).toMatch(/<h2 id="recs-heading">Because you viewed Oak Lounge Chair<\/h2>\s*<div class="slot slot-recs" data-sf-slot="recs"/);
    expect(jsonScript(html, 'sf-page')).toEqual({ track: [['product_view', { productId: 'sku-1003', category: 'furniture', priceCents: 32900 }]] });
  });

  it('shows a sold-out product without a way to buy it', async () => {
    const { html } = await get('/p/sku-1006');
    expect(html).toContain('Sold out');
    expect(html).not.toContain('data-testid="add-to-cart"');
  });

  it('finds products by the start of their words, and tells Sessionflow what was searched', async () => {
    const { html } = await get('/search?q=oak%20lou');
    expect(cards(html).map(([id]) => id)).toContain('sku-1003');
    expect(html).toContain('value="oak lou"');
    expect(jsonScript(html, 'sf-page')).toEqual({ track: [['search', { query: 'oak lou', results: cards(html).length }]] });
    const none = await get('/search?q=zzzzqx');
    expect(none.html).toContain('No results');
    expect(jsonScript(none.html, 'sf-page')).toEqual({ track: [['search', { query: 'zzzzqx', results: 0 }]] });
  });

  it.each([
    ['/?category=lighting', '/c/lighting'],
    ['/?product=sku-1005', '/p/sku-1005'],
    ['/app?product=sku-1005', '/app/p/sku-1005'],
  ])('sends the old storefront\u2019s link %s (the edge\u2019s demo rules use them) to %s', async (path, location) => {
    const { status, response } = await get(path);
    expect(status).toBe(302);
    expect(response.headers.get('location')).toBe(location);
  });

  it.each(['/p/sku-0000', '/c/garden', '/orders/NW-NOPE', '/app/p/sku-0000', '/nothing-here'])('answers 404 for %s', async (path) => {
    expect((await get(path)).status).toBe(404);
  });

  it('serves the single-page app: the same pages under /app, loading the bundle instead of the script tag', async () => {
    const { status, html } = await get('/app/p/sku-1002');
    expect(status).toBe(200);
    expect(html).toContain('<script type="module" src="/app/shop.js"></script>');
    expect(html).not.toContain('sessionflow.min.js');
    expect(jsonScript(html, 'sf-config')).toEqual({ siteKey: SITE_KEY, endpoint: EDGE_URL });
    // Its links stay in the app.
    expect(html).toContain('href="/app/c/lighting"');
    expect(html).toContain('data-sf-slot="recs"');
  });

  it('draws a product’s picture by id, for the recommendations', async () => {
    const response = await fetch(`${site.url}/pictures/sku-1008.svg`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml');
    const svg = await response.text();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain(`hsl(${PRODUCTS.find((p) => p.id === 'sku-1008')!.hue} `);
    for (const path of ['/pictures/sku-0000.svg', '/pictures/sku-1008.png']) expect((await get(path)).status).toBe(404);
  });

  it('serves the SDK bundle as JavaScript', async () => {
    const response = await fetch(`${site.url}/sdk/sessionflow.min.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
    expect(await response.text()).toBe(SDK_SOURCE);
  });

  it('serves the stylesheet and the store script', async () => {
    const css = await fetch(`${site.url}/styles.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    const js = await fetch(`${site.url}/store.js`);
    expect(js.status).toBe(200);
    expect(await js.text()).toContain('/api/cart');
  });

  it.each(['/missing.css', '/sdk/other.js', '/../package.json', '/%2e%2e/package.json', '/index.html'])('answers 404 (or a redirect home) for %s', async (path) => {
    const { status, response } = await get(path);
    if (path === '/index.html') {
      expect(status).toBe(301);
      expect(response.headers.get('location')).toBe('/');
    } else expect(status).toBe(404);
  });

  it('refuses to start without a built SDK, saying how to build it', () => {
    expect(() => startDemoSite({ port: 0, edgeUrl: EDGE_URL, siteKey: 'k', sdkFile: join(dir, 'absent.js') })).toThrow(SdkNotBuiltError);
    expect(() => startDemoSite({ port: 0, edgeUrl: EDGE_URL, siteKey: 'k', sdkFile: join(dir, 'absent.js') })).toThrow(/npm run build -w sdk/);
  });
});

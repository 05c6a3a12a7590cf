import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCTS, SdkNotBuiltError, startDemoSite, type DemoSite } from '../src/server.js';

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

  it('serves the storefront with the site key and endpoint filled in, escaped', async () => {
    const response = await fetch(`${site.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    const sdkTag = /<script[^>]*sessionflow\.min\.js[^>]*>/;
    expect(attribute(html, sdkTag, 'data-site-key')).toBe(SITE_KEY);
    expect(attribute(html, sdkTag, 'data-endpoint')).toBe(EDGE_URL);
    expect(attribute(html, sdkTag, 'src')).toBe('/sdk/sessionflow.min.js');
    expect(html).not.toContain('<key>');
    expect(html).not.toContain('<b>');
    expect(html).not.toMatch(/\{\{\w+\}\}/);
  });

  it('shows every product as a card the SDK can read', async () => {
    const html = await (await fetch(`${site.url}/`)).text();
    const cards = [...html.matchAll(/<article[^>]*data-sf-product="([^"]+)"[^>]*data-sf-category="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(cards).toEqual(PRODUCTS.map((p) => [p.id, p.category]));
    expect(PRODUCTS.length).toBeGreaterThanOrEqual(6);
    for (const product of PRODUCTS) expect(html).toContain(product.name);
  });

  it('filters the grid by category', async () => {
    const html = await (await fetch(`${site.url}/?category=kitchen`)).text();
    const ids = [...html.matchAll(/data-sf-product="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(PRODUCTS.filter((p) => p.category === 'kitchen').map((p) => p.id));
    expect(ids.length).toBeGreaterThan(0);
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
    expect(await js.text()).toContain('add_to_cart');
  });

  it.each(['/missing.css', '/sdk/other.js', '/../package.json', '/%2e%2e/package.json'])('answers 404 for %s', async (path) => {
    const response = await fetch(`${site.url}${path}`);
    expect(response.status).toBe(404);
    await response.body?.cancel();
  });

  it('refuses to start without a built SDK, saying how to build it', () => {
    expect(() => startDemoSite({ port: 0, edgeUrl: EDGE_URL, siteKey: 'k', sdkFile: join(dir, 'absent.js') })).toThrow(SdkNotBuiltError);
    expect(() => startDemoSite({ port: 0, edgeUrl: EDGE_URL, siteKey: 'k', sdkFile: join(dir, 'absent.js') })).toThrow(/npm run build -w sdk/);
  });
});

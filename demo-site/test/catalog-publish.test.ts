/** The catalog feed the storefront sends the collector at start-up, against a real local HTTP server. */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { catalogFeed, publishCatalog } from '../src/catalog/publish.js';
import { PRODUCTS } from '../src/catalog/products.js';

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function collector(answer: (req: IncomingMessage, body: string, n: number) => [number, unknown]): Promise<{ url: string; bodies: string[]; auth: string[] }> {
  const bodies: string[] = [];
  const auth: string[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    bodies.push(body);
    auth.push(req.headers.authorization ?? '');
    const [status, json] = answer(req, body, bodies.length);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, auth };
}

describe('the catalog feed', () => {
  it('lists every product with its display price, its page and stock', () => {
    const feed = catalogFeed(PRODUCTS);
    expect(feed.products).toHaveLength(PRODUCTS.length);
    const skillet = feed.products.find((p) => p.id === 'sku-1006');
    expect(skillet).toEqual({ id: 'sku-1006', name: 'Cast Iron Skillet', category: 'kitchen', price: '€54.00', href: '/p/sku-1006', inStock: false });
    expect(feed.products.filter((p) => !p.inStock).map((p) => p.id)).toEqual(PRODUCTS.filter((p) => p.stock === 0).map((p) => p.id));
  });

  it('posts the feed with the secret, retrying while the collector is not ready', async () => {
    const c = await collector((_req, body, n) => (n < 3 ? [503, { error: 'starting' }] : [202, { products: (JSON.parse(body) as { products: unknown[] }).products.length }]));
    await expect(publishCatalog({ collectorUrl: c.url, secret: 'shh', products: PRODUCTS, retryDelayMs: 10 })).resolves.toBe(PRODUCTS.length);
    expect(c.bodies).toHaveLength(3);
    expect(c.auth).toEqual(['Bearer shh', 'Bearer shh', 'Bearer shh']);
  });

  it('stops at a refusal and says what the collector answered', async () => {
    const c = await collector(() => [401, { error: 'unauthorized' }]);
    await expect(publishCatalog({ collectorUrl: c.url, secret: 'wrong', products: PRODUCTS, retryDelayMs: 10 })).rejects.toThrow(/HTTP 401.*unauthorized/);
    expect(c.bodies).toHaveLength(1);
  });
});

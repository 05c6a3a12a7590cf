/**
 * The storefront's catalog feed: at start-up the demo sends its products and
 * their stock to the collector (`POST /v1/catalog`), which writes them to the
 * compacted topics `sf.products` and `sf.inventory`, the way a real shop's
 * product feed would. Recommendations and offers read stock from there.
 */
import type { Product } from './products.js';
import { productPath } from '../storefront/paths.js';
import { formatPrice } from '../storefront/format.js';

export interface CatalogItem {
  id: string;
  name: string;
  category: string;
  price: string;
  href: string;
  inStock: boolean;
}

export function catalogFeed(products: readonly Product[]): { products: CatalogItem[] } {
  return {
    products: products.map((p) => ({ id: p.id, name: p.name, category: p.category, price: formatPrice(p), href: productPath(p.id), inStock: p.inStock })),
  };
}

export interface PublishOptions {
  collectorUrl: string;
  secret: string;
  products: readonly Product[];
  /** Tries while the collector is still starting; default 10, a second apart. */
  attempts?: number;
  retryDelayMs?: number;
  fetch?: typeof fetch;
}

/** Sends the feed; resolves with the number of products the collector took, or rejects with its last answer. */
export async function publishCatalog(options: PublishOptions): Promise<number> {
  const send = options.fetch ?? fetch;
  const attempts = options.attempts ?? 10;
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await send(`${options.collectorUrl.replace(/\/+$/, '')}/v1/catalog`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.secret}` },
        body: JSON.stringify(catalogFeed(options.products)),
      });
      const body = await response.text();
      if (response.ok) return (JSON.parse(body) as { products: number }).products;
      last = `HTTP ${response.status} ${body.slice(0, 300)}`;
      // A refusal of the feed itself will not change on a retry.
      if (response.status >= 400 && response.status < 500) break;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs ?? 1000));
  }
  throw new Error(`the collector did not take the catalog: ${last}`);
}

/**
 * The catalog feed as Kafka records: each product to the compacted products
 * topic and its stock to the compacted inventory topic, both keyed by product
 * id, so compaction keeps the latest of each and a re-pushed feed is harmless.
 */
import type { Topics } from '@sessionflow/core';
import type { OutboundRecord } from '../ingest/sink.js';
import type { CatalogEntry, CatalogProduct } from './schema.js';

export interface InventoryValue {
  inStock: boolean;
}

export function catalogRecords(products: readonly CatalogProduct[], topics: Pick<Topics, 'products' | 'inventory'>): OutboundRecord[] {
  const records: OutboundRecord[] = [];
  for (const { inStock, ...product } of products) {
    const entry: CatalogEntry = product;
    const stock: InventoryValue = { inStock };
    records.push({ topic: topics.products, key: product.id, value: JSON.stringify(entry) });
    records.push({ topic: topics.inventory, key: product.id, value: JSON.stringify(stock) });
  }
  return records;
}

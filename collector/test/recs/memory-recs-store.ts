/** `RecsStore` in memory: core's in-memory model state plus a catalog, stock, popularity and profiles. */
import {
  applyRecsChange,
  changeForSession,
  emptyRecsState,
  memoryRecsReader,
  UNDECAYED_POPULARITY,
  type ScoredItem,
  type SessionRecord,
} from '@sessionflow/core';
import type { CatalogEntry } from '../../src/catalog/schema.js';
import type { RecsStore } from '../../src/read/recs/store.js';

export class MemoryRecsStore implements RecsStore {
  readonly state = emptyRecsState(200);
  readonly catalog = new Map<string, CatalogEntry>();
  readonly inStock = new Map<string, boolean>();
  readonly recent = new Map<string, string[]>();
  readonly affinity = new Map<string, Record<string, number>>();
  private readonly reader = memoryRecsReader(this.state);

  product(id: string, category: string, inStock = true): this {
    this.catalog.set(id, { id, name: `Product ${id}`, category, price: '€1.00', href: `/p/${id}` });
    this.inStock.set(id, inStock);
    return this;
  }

  /** A session that viewed `items` in order, ending at `time`; popularity counts its views. */
  session(id: string, items: readonly string[], time: number): this {
    const views = items.map((item, i) => {
      const category = this.catalog.get(item)?.category;
      return { item, time: time - (items.length - 1 - i), ...(category === undefined ? {} : { category }) };
    });
    applyRecsChange(this.state, changeForSession(id, views, UNDECAYED_POPULARITY));
    return this;
  }

  async sessions(ids: readonly string[]): Promise<(SessionRecord | undefined)[]> {
    return ids.map((id) => this.reader.session(id));
  }
  async openSession(id: string): Promise<SessionRecord | undefined> {
    return this.reader.session(id);
  }
  async sessionTimes(ids: readonly string[]): Promise<(number | undefined)[]> {
    return ids.map((id) => this.reader.session(id)?.time);
  }
  async itemSessions(items: readonly string[], limit: number): Promise<string[][]> {
    return items.map((item) => [...this.reader.sessionsWithItem(item, limit)]);
  }
  async recentlyViewed(visitor: string): Promise<string[]> {
    return this.recent.get(visitor) ?? [];
  }
  async affinities(visitor: string): Promise<Record<string, number>> {
    return this.affinity.get(visitor) ?? {};
  }
  async products(ids: readonly string[]): Promise<Map<string, CatalogEntry>> {
    return new Map(ids.flatMap((id) => (this.catalog.has(id) ? [[id, this.catalog.get(id)!] as const] : [])));
  }
  async stock(ids: readonly string[]): Promise<Map<string, boolean>> {
    return new Map(ids.flatMap((id) => (this.inStock.has(id) ? [[id, this.inStock.get(id)!] as const] : [])));
  }
  async popular(limit: number, category?: string): Promise<ScoredItem[]> {
    return [...this.reader.popular(limit, category)];
  }
  async catalogIds(count: number): Promise<string[]> {
    return [...this.catalog.keys()].slice(0, count);
  }
}

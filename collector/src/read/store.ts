/** What the read routes need of the online store; Redis in production (redis-store.ts), a fake in route tests. */
import type { InventoryView, ProfileView, RecsView } from '@sessionflow/core';

export interface RecsQuery {
  visitor?: string | undefined;
  session?: string | undefined;
  /** The product on screen: recommend around it, never it. */
  context?: string | undefined;
  n: number;
}

export interface ReadStore {
  recs(query: RecsQuery, nowMs: number): Promise<RecsView>;
  inventory(ids: readonly string[]): Promise<InventoryView>;
  /** Null when the id has no profile. */
  profile(id: string, nowMs: number): Promise<ProfileView | null>;
  /** False while the store cannot be reached: the routes answer 503 without trying. */
  available(): boolean;
}

/** The store failed to answer (down, timed out): the routes answer 503. */
export class ReadStoreUnavailableError extends Error {
  override readonly name = 'ReadStoreUnavailableError';
}

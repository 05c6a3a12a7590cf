/** What the read routes need of the online store; Redis in production (redis-store.ts), a fake in route tests. */
import type { InventoryView, ProfileRef, ProfileView, RecsView } from '@sessionflow/core';

export interface RecsQuery {
  /** Whose profile personalises: a user's (stitched across devices) or a device's own; none for popularity alone. */
  profile?: ProfileRef;
  session?: string | undefined;
  /** The product on screen: recommend around it, never it. */
  context?: string | undefined;
  n: number;
}

export interface ReadStore {
  recs(query: RecsQuery, nowMs: number): Promise<RecsView>;
  inventory(ids: readonly string[]): Promise<InventoryView>;
  /** The profile of a user or of a device (its own, never its linked user's); null when there is none. */
  profile(whose: ProfileRef, nowMs: number): Promise<ProfileView | null>;
  /** False while the store cannot be reached: the routes answer 503 without trying. */
  available(): boolean;
}

/** The store failed to answer (down, timed out): the routes answer 503. */
export class ReadStoreUnavailableError extends Error {
  override readonly name = 'ReadStoreUnavailableError';
}

/**
 * The read API's view of Redis, in the key layout the pipeline writes
 * (store/keys.ts): each id read in the partition that owns it (store/layout.ts). Every failure to reach Redis becomes a
 * ReadStoreUnavailableError, which the routes answer with 503.
 */
import { refOf, type InventoryView } from '@sessionflow/core';
import type { StoreClient } from '../store/client.js';
import type { StateLayout } from '../store/layout.js';
import { hashFields } from './recs/redis-recs-store.js';
import { readStoredProfile } from '../pipeline/identity/profile-read.js';
import { redisRecsStore } from './recs/redis-recs-store.js';
import { sessionRecs } from './recs/session-recs.js';
import { ReadStoreUnavailableError, type ReadStore } from './store.js';

export function redisReadStore(redis: StoreClient, layout: StateLayout): ReadStore {
  // Session-aware when the visitor's views give the neighbours something to continue, else popularity (read/recs).
  const recsStore = redisRecsStore(redis, layout);
  const guarded = async <T>(read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      throw new ReadStoreUnavailableError(`Redis did not answer: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };

  return {
    available: () => redis.isReady,

    recs: (query, nowMs) => guarded(() => sessionRecs(recsStore, query, nowMs)),

    inventory: (ids) =>
      guarded(async (): Promise<InventoryView> => {
        const values = await hashFields(redis, ids, (id) => layout.stock(id).inventory);
        const inStock: Record<string, boolean> = {};
        ids.forEach((id, i) => {
          const value = values[i];
          if (value === '1' || value === '0') inStock[id] = value === '1';
        });
        return { inStock };
      }),

    // Exactly the profile named: a device's read never follows its link to a user (pipeline/identity/profile-read.ts).
    profile: (whose, nowMs) => guarded(() => readStoredProfile(redis, layout, refOf(whose), nowMs)),
  };
}

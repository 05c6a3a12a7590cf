import type { KeyValueStore } from '../identity/storage.js';

const KEY = 'sf_drop';

/** How many events the queue's bound pushed out and no batch has reported yet; kept across page loads. */
export interface DroppedCount {
  add(count: number): void;
  /** The count so far, reset to 0. */
  take(): number;
}

export function droppedCount(store: KeyValueStore): DroppedCount {
  const read = () => Number(store.get(KEY)) || 0;
  return {
    add: (count) => store.set(KEY, String(read() + count)),
    take() {
      const count = read();
      if (count > 0) store.set(KEY, '0');
      return count;
    },
  };
}

/**
 * The durable queue: one IndexedDB record per event, so each is removed on its
 * own once delivered, and what is not delivered survives a reload or a crash.
 * Every tab of the site shares it (one sender at a time, see delivery/sender-lock).
 */
import { promisifyRequest, type UseStore } from 'idb-keyval';
import { QUEUE_CAPACITY, type EventQueue, type QueuedEvent } from './queue.js';

/** IndexedDB orders array keys item by item, numbers numerically: records come back in capture order. */
const keyOf = (event: QueuedEvent): IDBValidKey => [event.timestamp, event.seq ?? 0, event.eventId];

/** `use` is idb-keyval's `createStore(db, store)`: it opens the database on first use. */
export function idbQueue<E extends QueuedEvent>(use: UseStore, capacity = QUEUE_CAPACITY): EventQueue<E> {
  return {
    enqueue: (events) =>
      use('readwrite', (store) => {
        let over = 0;
        events.forEach((event) => store.put(event, keyOf(event)));
        // In the same transaction, so two tabs adding at once cannot both miss the bound.
        store.count().onsuccess = function () {
          over = this.result - capacity;
          if (over > 0) store.getAllKeys(null, over).onsuccess = function () {
            this.result.forEach((key) => store.delete(key));
          };
        };
        return promisifyRequest(store.transaction).then(() => Math.max(over, 0));
      }),
    peek: (max) => use('readonly', (store) => promisifyRequest(store.getAll(null, max))),
    remove: (events) =>
      use('readwrite', (store) => {
        events.forEach((event) => store.delete(keyOf(event)));
        return promisifyRequest(store.transaction);
      }),
    clear: () => use('readwrite', (store) => (store.clear(), promisifyRequest(store.transaction))),
  };
}

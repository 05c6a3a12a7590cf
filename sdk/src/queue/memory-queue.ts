import { QUEUE_CAPACITY, type EventQueue, type QueuedEvent } from './queue.js';

/** Keeps events for the life of the page: the fallback where IndexedDB is unavailable, and the queue of tests. */
export function memoryQueue<E extends QueuedEvent>(capacity = QUEUE_CAPACITY): EventQueue<E> {
  let events: E[] = [];
  return {
    async enqueue(added) {
      const over = events.push(...added) - capacity;
      if (over > 0) events = events.slice(over);
      return Math.max(over, 0);
    },
    peek: async (max) => events.slice(0, max),
    async remove(gone) {
      const ids = new Set(gone.map((event) => event.eventId));
      events = events.filter((event) => !ids.has(event.eventId));
    },
    clear: async () => void (events = []),
  };
}

import type { EventQueue, QueuedEvent } from './queue.js';

/**
 * Uses `primary` until one of its operations fails (no IndexedDB, private
 * modes, a database that will not open), then `backup` for the rest of the page;
 * `onFallback` runs once, at the switch. Events already written to the primary
 * stay there for the next page load.
 */
export function fallbackQueue<E extends QueuedEvent>(primary: EventQueue<E>, backup: () => EventQueue<E>, onFallback: (error: unknown) => void): EventQueue<E> {
  let active: EventQueue<E> | undefined = primary;
  let spare: EventQueue<E> | undefined;
  const run = async <T>(op: (queue: EventQueue<E>) => Promise<T>): Promise<T> => {
    if (active) {
      try {
        return await op(active);
      } catch (error) {
        if (active) onFallback(error);
        active = undefined;
      }
    }
    return op((spare ??= backup()));
  };
  return {
    enqueue: (events) => run((queue) => queue.enqueue(events)),
    peek: (max) => run((queue) => queue.peek(max)),
    remove: (events) => run((queue) => queue.remove(events)),
    clear: () => run((queue) => queue.clear()),
  };
}

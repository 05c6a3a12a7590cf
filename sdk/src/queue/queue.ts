/**
 * Where events wait until the edge has taken them. Asynchronous so that the
 * in-memory queue used now can give way to an IndexedDB one (idb-keyval)
 * without changing the code that delivers.
 */
export interface QueuedEvent {
  eventId: string;
}

export interface EventQueue<E extends QueuedEvent = QueuedEvent> {
  enqueue(event: E): Promise<void>;
  /** Up to `max` of the oldest events, left in the queue. */
  peek(max: number): Promise<E[]>;
  /** Removes these events (once delivered, or refused for good). */
  remove(eventIds: readonly string[]): Promise<void>;
  size(): Promise<number>;
}

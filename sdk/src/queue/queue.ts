/**
 * Where events wait until the edge has taken them: IndexedDB (shared by the
 * site's tabs, kept across reloads) or, where that fails, memory.
 */
export interface QueuedEvent {
  eventId: string;
  timestamp: number;
  seq?: number;
}

export interface EventQueue<E extends QueuedEvent = QueuedEvent> {
  /** Adds events; resolves to how many of the oldest events the queue's bound pushed out to make room. */
  enqueue(events: readonly E[]): Promise<number>;
  /** Up to `max` of the oldest events, left in the queue. */
  peek(max: number): Promise<E[]>;
  /** Removes these events (once delivered, or refused for good). */
  remove(events: readonly E[]): Promise<void>;
  clear(): Promise<void>;
}

/** The bound: beyond it the oldest events go (and are counted), so a long outage cannot fill the disk or memory. */
export const QUEUE_CAPACITY = 1000;

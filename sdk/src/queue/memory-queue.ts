import type { EventQueue, QueuedEvent } from './queue.js';

/** Keeps events for the life of the page. Beyond `capacity` the oldest go, so a long outage cannot eat the page's memory. */
export class MemoryQueue<E extends QueuedEvent> implements EventQueue<E> {
  private events: E[] = [];

  constructor(
    private readonly capacity = 1000,
    private readonly onOverflow: (dropped: E) => void = () => {},
  ) {}

  async enqueue(event: E): Promise<void> {
    this.events.push(event);
    while (this.events.length > this.capacity) this.onOverflow(this.events.shift()!);
  }

  async peek(max: number): Promise<E[]> {
    return this.events.slice(0, max);
  }

  async remove(eventIds: readonly string[]): Promise<void> {
    const gone = new Set(eventIds);
    this.events = this.events.filter((event) => !gone.has(event.eventId));
  }

  async size(): Promise<number> {
    return this.events.length;
  }
}

/** Test doubles for the tracker's ports: no mocking library needed. */
import type { CookieJar, KeyValueStore } from '../src/identity/storage.js';
import { QUEUE_CAPACITY, type EventQueue, type QueuedEvent } from '../src/queue/queue.js';
import type { Transport, TransportResponse } from '../src/transport/transport.js';

export function fakeStore(initial: Record<string, string> = {}): KeyValueStore & { values: Map<string, string> } {
  const values = new Map(Object.entries(initial));
  return { values, get: (k) => values.get(k), set: (k, v) => void values.set(k, v), del: (k) => void values.delete(k) };
}

export function fakeCookies(initial: Record<string, string> = {}): CookieJar & { values: Map<string, string> } {
  const values = new Map(Object.entries(initial));
  // Max-Age=0 deletes, as in a browser.
  return { values, get: (k) => values.get(k), set: (k, v, maxAge) => void (maxAge > 0 ? values.set(k, v) : values.delete(k)) };
}

/** Ids like `id-00000001`, predictable and valid for core's schema. */
export function sequentialIds(prefix = 'id'): () => string {
  let n = 0;
  return () => `${prefix}-${String(++n).padStart(8, '0')}`;
}

export interface SentBatch {
  url: string;
  body: { events: { eventId: string; type: string }[]; sentAt: number };
}

/** A transport that records what it was sent and answers from a script (default: 200, all accepted). */
export function fakeTransport(answer?: (batch: SentBatch) => TransportResponse | Error | undefined): Transport & { sent: SentBatch[] } {
  const sent: SentBatch[] = [];
  return {
    sent,
    async send(url, body) {
      const batch: SentBatch = { url, body: JSON.parse(body) as SentBatch['body'] };
      sent.push(batch);
      const response = answer?.(batch) ?? { status: 200, body: { accepted: batch.body.events.length, rejected: [], actions: [] } };
      if (response instanceof Error) throw response;
      return response;
    },
  };
}

/** navigator.locks shared by the "tabs" of a test: `ifAvailable` gets null while the lock is held. */
export function fakeLocks() {
  const held = new Set<string>();
  const names: string[] = [];
  const locks = {
    async request(name: string, options: LockOptions, callback: (lock: Lock | null) => unknown) {
      names.push(name);
      if (held.has(name)) {
        if (options.ifAvailable) return callback(null);
        throw new Error('the fake only does ifAvailable');
      }
      held.add(name);
      try {
        return await callback({ name, mode: 'exclusive' });
      } finally {
        held.delete(name);
      }
    },
  };
  return { locks: locks as unknown as LockManager, names };
}

/** How many events `queue` holds (never more than its bound): the SDK itself never needs to count them. */
export async function queueLength<E extends QueuedEvent>(queue: EventQueue<E>): Promise<number> {
  return (await queue.peek(QUEUE_CAPACITY)).length;
}

import { describe, expect, it, vi } from 'vitest';
import { fallbackQueue } from '../src/queue/fallback-queue.js';
import { idbQueue } from '../src/queue/idb-queue.js';
import { memoryQueue } from '../src/queue/memory-queue.js';
import type { EventQueue } from '../src/queue/queue.js';
import { fakeIdbStore } from './fake-idb.js';
import { queueLength } from './fakes.js';

interface TestEvent {
  eventId: string;
  timestamp: number;
  seq?: number;
}

const T = Date.UTC(2025, 0, 15);
const ev = (id: string, timestamp: number, seq?: number): TestEvent => (seq === undefined ? { eventId: id, timestamp } : { eventId: id, timestamp, seq });

const queues: [string, (capacity?: number) => EventQueue<TestEvent>][] = [
  ['memory', (capacity) => memoryQueue<TestEvent>(capacity)],
  ['IndexedDB', (capacity) => idbQueue<TestEvent>(fakeIdbStore(), capacity)],
];

describe.each(queues)('the %s queue', (_name, make) => {
  it('gives events back oldest first and removes only the ones named', async () => {
    const queue = make();
    for (const e of [ev('event-a1', T, 0), ev('event-a2', T, 1), ev('event-a3', T + 5, 2)]) await queue.enqueue([e]);
    expect((await queue.peek(2)).map((e) => e.eventId)).toEqual(['event-a1', 'event-a2']);
    await queue.remove([ev('event-a2', T, 1)]);
    expect((await queue.peek(10)).map((e) => e.eventId)).toEqual(['event-a1', 'event-a3']);
    expect(await queueLength(queue)).toBe(2);
  });

  it('drops the oldest beyond its bound and says how many', async () => {
    const queue = make(3);
    const dropped: number[] = [];
    for (let n = 0; n < 5; n++) dropped.push(await queue.enqueue([ev(`event-${n}0000`, T + n, n)]));
    expect(dropped).toEqual([0, 0, 0, 1, 1]);
    expect((await queue.peek(10)).map((e) => e.eventId)).toEqual(['event-20000', 'event-30000', 'event-40000']);
  });
});

describe('the IndexedDB queue', () => {
  it('orders by timestamp, then seq as a number (9 before 10), across tabs writing into it', async () => {
    const queue = idbQueue<TestEvent>(fakeIdbStore());
    await queue.enqueue([ev('tab-b-late', T + 1, 0)]);
    await queue.enqueue([ev('tab-a-seq10', T, 10)]);
    await queue.enqueue([ev('tab-a-seq-9', T, 9)]);
    expect((await queue.peek(10)).map((e) => e.eventId)).toEqual(['tab-a-seq-9', 'tab-a-seq10', 'tab-b-late']);
  });

  it('keeps what a previous page stored', async () => {
    const store = fakeIdbStore();
    await idbQueue<TestEvent>(store).enqueue([ev('from-page-1', T, 0)]);
    expect((await idbQueue<TestEvent>(store).peek(10)).map((e) => e.eventId)).toEqual(['from-page-1']);
  });
});

describe('fallbackQueue', () => {
  it('falls back to memory when IndexedDB fails, and says so once', async () => {
    const onFallback = vi.fn();
    const queue = fallbackQueue(idbQueue<TestEvent>(fakeIdbStore({ failWith: new Error('open failed') })), () => memoryQueue<TestEvent>(), onFallback);
    await Promise.all([queue.enqueue([ev('event-m1', T, 0)]), queue.enqueue([ev('event-m2', T, 1)])]);
    await queue.enqueue([ev('event-m3', T, 2)]);
    expect((await queue.peek(10)).map((e) => e.eventId)).toEqual(['event-m1', 'event-m2', 'event-m3']);
    expect(onFallback).toHaveBeenCalledTimes(1);
  });

  it('falls back when there is no IndexedDB at all', async () => {
    const onFallback = vi.fn();
    const missing = () => {
      throw new ReferenceError('indexedDB is not defined');
    };
    const queue = fallbackQueue(idbQueue<TestEvent>(missing as never), () => memoryQueue<TestEvent>(), onFallback);
    await queue.enqueue([ev('event-m1', T, 0)]);
    expect(await queueLength(queue)).toBe(1);
    expect(onFallback).toHaveBeenCalledTimes(1);
  });

  it('stays on IndexedDB while it works', async () => {
    const onFallback = vi.fn();
    const store = fakeIdbStore();
    const queue = fallbackQueue(idbQueue<TestEvent>(store), () => memoryQueue<TestEvent>(), onFallback);
    await queue.enqueue([ev('event-d1', T, 0)]);
    expect(store.records()).toHaveLength(1);
    expect(onFallback).not.toHaveBeenCalled();
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../src/debug/logger.js';
import { Batcher } from '../src/delivery/batcher.js';
import { MemoryQueue } from '../src/queue/memory-queue.js';
import type { TransportResponse } from '../src/transport/transport.js';
import { fakeTransport, type SentBatch } from './fakes.js';

interface TestEvent {
  eventId: string;
  type: string;
}

const URL = 'http://edge.test/v1/collect?site=demo-site-key';

function setup(options: { maxBatch?: number; flushIntervalMs?: number; answer?: (batch: SentBatch) => TransportResponse | Error | undefined } = {}) {
  const queue = new MemoryQueue<TestEvent>();
  const transport = fakeTransport(options.answer);
  const logged: string[] = [];
  const log: Logger = { debug: (message) => void logged.push(message) };
  const batcher = new Batcher(queue, transport, {
    collectUrl: URL,
    maxBatch: options.maxBatch ?? 20,
    flushIntervalMs: options.flushIntervalMs ?? 1000,
    now: () => Date.now(),
    log,
  });
  return { queue, transport, batcher, logged };
}

const event = (n: number): TestEvent => ({ eventId: `event-${String(n).padStart(6, '0')}`, type: 'click' });
const ids = (batch: SentBatch | undefined) => batch?.body.events.map((e) => e.eventId);

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2025, 0, 15) });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('Batcher', () => {
  it('sends as soon as maxBatch events are queued, without waiting for the timer', async () => {
    const { batcher, transport, queue } = setup({ maxBatch: 3 });
    await batcher.add(event(1));
    await batcher.add(event(2));
    expect(transport.sent).toHaveLength(0);
    await batcher.add(event(3));
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.sent).toHaveLength(1);
    expect(ids(transport.sent[0])).toEqual([event(1).eventId, event(2).eventId, event(3).eventId]);
    expect(transport.sent[0]?.url).toBe(URL);
    expect(transport.sent[0]?.body.sentAt).toBe(Date.UTC(2025, 0, 15));
    expect(await queue.size()).toBe(0);
  });

  it('sends a partial batch when the flush interval has passed', async () => {
    const { batcher, transport } = setup({ flushIntervalMs: 1000 });
    await batcher.add(event(1));
    await vi.advanceTimersByTimeAsync(500);
    await batcher.add(event(2));
    await vi.advanceTimersByTimeAsync(499);
    expect(transport.sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.sent.map(ids)).toEqual([[event(1).eventId, event(2).eventId]]);
  });

  it('splits a large backlog into batches of maxBatch', async () => {
    const { batcher, transport, queue } = setup({ maxBatch: 2, flushIntervalMs: 1000 });
    for (const n of [1, 2, 3, 4, 5]) await queue.enqueue(event(n));
    await batcher.flush();
    expect(transport.sent.map((b) => b.body.events.length)).toEqual([2, 2, 1]);
  });

  it.each([
    ['a network error', () => new TypeError('Failed to fetch')],
    ['a 503 from the edge', () => ({ status: 503, body: { error: 'collector_unavailable', message: 'down' } })],
    ['a 500', () => ({ status: 500, body: undefined })],
  ])('keeps the events after %s and sends them again on the next flush', async (_label, failure) => {
    let fail = true;
    const { batcher, transport, queue } = setup({ answer: () => (fail ? failure() : undefined) });
    await queue.enqueue(event(1));
    await queue.enqueue(event(2));
    await batcher.flush();
    expect(await queue.size()).toBe(2);
    fail = false;
    await batcher.flush();
    expect(transport.sent.map(ids)).toEqual([
      [event(1).eventId, event(2).eventId],
      [event(1).eventId, event(2).eventId],
    ]);
    expect(await queue.size()).toBe(0);
  });

  it('retries a failed send by itself, later each time', async () => {
    const { batcher, transport } = setup({ flushIntervalMs: 1000, answer: () => new TypeError('offline') });
    await batcher.add(event(1));
    await vi.advanceTimersByTimeAsync(1000);
    expect(transport.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(transport.sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1999);
    expect(transport.sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.sent).toHaveLength(3);
  });

  it('drops the events the edge rejected in a 200 answer, and says so in the debug log', async () => {
    const { batcher, queue, logged } = setup({
      answer: () => ({ status: 200, body: { accepted: 1, rejected: [{ index: 1, errors: [{ field: 'page.url', reason: 'must be an absolute URL' }] }], actions: [] } }),
    });
    await queue.enqueue(event(1));
    await queue.enqueue(event(2));
    await batcher.flush();
    expect(await queue.size()).toBe(0);
    expect(logged.some((line) => line.includes('event 1 of the batch was rejected'))).toBe(true);
  });

  it('drops a batch the edge refuses as malformed (400), which no retry could fix', async () => {
    const { batcher, queue, transport } = setup({ answer: () => ({ status: 400, body: { error: 'bad_request', message: 'events: must be an array' } }) });
    await queue.enqueue(event(1));
    await batcher.flush();
    await batcher.flush();
    expect(await queue.size()).toBe(0);
    expect(transport.sent).toHaveLength(1);
  });

  it('keeps events queued while the first send is in flight, and sends each only once', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started: () => void = () => {};
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    const { batcher, queue, transport } = setup({ maxBatch: 10 });
    const send = transport.send.bind(transport);
    transport.send = async (url, body) => {
      const answer = await send(url, body);
      started();
      await gate;
      return answer;
    };
    await queue.enqueue(event(1));
    const first = batcher.flush();
    const second = batcher.flush();
    await inFlight;
    await queue.enqueue(event(2));
    release();
    await Promise.all([first, second]);
    expect(transport.sent.map(ids)).toEqual([[event(1).eventId], [event(2).eventId]]);
    expect(await queue.size()).toBe(0);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setDebug } from '../src/debug/logger.js';
import { createBatcher, type BatcherOptions } from '../src/delivery/batcher.js';
import { droppedCount } from '../src/delivery/dropped.js';
import { memoryQueue } from '../src/queue/memory-queue.js';
import type { TransportResponse } from '../src/transport/transport.js';
import { fakeStore, fakeTransport, queueLength, type SentBatch } from './fakes.js';

interface TestEvent {
  eventId: string;
  anonymousId: string;
  timestamp: number;
  type: string;
}

const URL = 'http://edge.test/v1/collect?site=demo-site-key';

function setup(
  options: { answer?: (batch: SentBatch) => TransportResponse | Error | undefined; capacity?: number } & Partial<Omit<BatcherOptions, 'collectUrl' | 'now'>> = {},
) {
  const queue = memoryQueue<TestEvent>(options.capacity);
  const transport = fakeTransport(options.answer);
  const logged: string[] = [];
  setDebug(true);
  vi.spyOn(console, 'debug').mockImplementation((message: string) => void logged.push(message));
  const batcher = createBatcher(queue, transport, {
    maxBatch: 20,
    flushIntervalMs: 1000,
    // No jitter unless a test asks for it: the pauses are then exactly the backoff.
    random: () => 0,
    ...options,
    collectUrl: URL,
    now: () => Date.now(),
  });
  return { queue, transport, batcher, logged };
}

const VISITOR = 'visitor-1';
const event = (n: number, anonymousId = VISITOR): TestEvent => ({ eventId: `event-${String(n).padStart(6, '0')}`, anonymousId, timestamp: Date.UTC(2025, 0, 15) + n, type: 'click' });
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
    batcher.add(event(1));
    batcher.add(event(2));
    expect(transport.sent).toHaveLength(0);
    batcher.add(event(3));
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.sent).toHaveLength(1);
    expect(ids(transport.sent[0])).toEqual([event(1).eventId, event(2).eventId, event(3).eventId]);
    expect(transport.sent[0]?.url).toBe(URL);
    expect(transport.sent[0]?.body.sentAt).toBe(Date.UTC(2025, 0, 15));
    expect(await queueLength(queue)).toBe(0);
  });

  it('sends a captured event at once, from memory, before its write has landed', async () => {
    const base = memoryQueue<TestEvent>();
    let land: () => void = () => {};
    // The write takes a while, as an IndexedDB transaction does (and never happens if the browser dies first).
    const queue = { ...base, enqueue: async (events: readonly TestEvent[]) => (await new Promise<void>((resolve) => (land = resolve)), base.enqueue(events)) };
    const transport = fakeTransport();
    const batcher = createBatcher(queue, transport, { collectUrl: URL, maxBatch: 20, flushIntervalMs: 60_000, now: () => Date.now() });
    batcher.add(event(1));
    // Not in the capture task itself: the send costs the capture nothing.
    expect(transport.sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.sent.map(ids)).toEqual([[event(1).eventId]]);
    expect(await queueLength(base)).toBe(0);
    land();
    await vi.advanceTimersByTimeAsync(0);
    // Written, then removed as delivered: nothing stays queued to be sent again.
    expect(await queueLength(base)).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(transport.sent).toHaveLength(1);
  });

  it('sends each new event at once while earlier ones are on their way, four at a time; beyond, they gather', async () => {
    const releases: (() => void)[] = [];
    const { batcher, transport, queue } = setup({ flushIntervalMs: 60_000 });
    const send = transport.send.bind(transport);
    transport.send = async (url, body) => {
      const answer = await send(url, body);
      await new Promise<void>((resolve) => releases.push(resolve));
      return answer;
    };
    for (const n of [1, 2, 3, 4, 5, 6]) {
      batcher.add(event(n));
      await vi.advanceTimersByTimeAsync(10);
    }
    // The oldest four are on their way, one request each; the last two wait.
    expect(transport.sent.map(ids)).toEqual([1, 2, 3, 4].map((n) => [event(n).eventId]));
    releases.splice(0).forEach((release) => release());
    await vi.advanceTimersByTimeAsync(0);
    batcher.add(event(7));
    await vi.advanceTimersByTimeAsync(0);
    // The next send at once takes every event still waiting, in one request.
    expect(transport.sent.map(ids).at(-1)).toEqual([event(5).eventId, event(6).eventId, event(7).eventId]);
    releases.splice(0).forEach((release) => release());
    await vi.advanceTimersByTimeAsync(60_000);
    expect(transport.sent).toHaveLength(5);
    expect(await queueLength(queue)).toBe(0);
  });

  it('sends what an earlier page left in the queue a moment after the start, with nothing new captured', async () => {
    const queue = memoryQueue<TestEvent>();
    // A browser that died before these were delivered.
    await queue.enqueue([event(1), event(2)]);
    const transport = fakeTransport();
    createBatcher(queue, transport, { collectUrl: URL, maxBatch: 20, flushIntervalMs: 1000, now: () => Date.now() });
    await vi.advanceTimersByTimeAsync(999);
    expect(transport.sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.sent.map(ids)).toEqual([[event(1).eventId, event(2).eventId]]);
    expect(await queueLength(queue)).toBe(0);
  });

  it('does not open the queue after the start while it may not (no consent)', async () => {
    const queue = memoryQueue<TestEvent>();
    let looked = 0;
    const watched = { ...queue, peek: (max: number) => ((looked += 1), queue.peek(max)) };
    let allowed = false;
    createBatcher(watched, fakeTransport(), { collectUrl: URL, maxBatch: 20, flushIntervalMs: 1000, now: () => Date.now(), allowed: () => allowed });
    await vi.advanceTimersByTimeAsync(5000);
    expect(looked).toBe(0);
    allowed = true;
    createBatcher(watched, fakeTransport(), { collectUrl: URL, maxBatch: 20, flushIntervalMs: 1000, now: () => Date.now(), allowed: () => allowed });
    await vi.advanceTimersByTimeAsync(1000);
    expect(looked).toBeGreaterThan(0);
  });

  it('splits a large backlog into batches of maxBatch', async () => {
    const { batcher, transport, queue } = setup({ maxBatch: 2, flushIntervalMs: 1000 });
    for (const n of [1, 2, 3, 4, 5]) await queue.enqueue([event(n)]);
    await batcher.flush();
    expect(transport.sent.map((b) => b.body.events.length)).toEqual([2, 2, 1]);
  });

  it('sends the events of one visitor per request: after a reset the queue holds two anonymous ids', async () => {
    const { batcher, transport, queue } = setup({ maxBatch: 10 });
    // Two tabs can interleave them: one still on the old id, one on the new.
    const queued = [event(1, 'visitor-1'), event(2, 'visitor-1'), event(3, 'visitor-2'), event(4, 'visitor-1'), event(5, 'visitor-2')];
    for (const e of queued) await queue.enqueue([e]);
    await batcher.flush();
    const visitors = transport.sent.map((b) => [...new Set(b.body.events.map((e) => (e as unknown as TestEvent).anonymousId))]);
    expect(visitors).toEqual([['visitor-1'], ['visitor-2']]);
    expect(transport.sent.map(ids)).toEqual([
      [event(1).eventId, event(2).eventId, event(4).eventId],
      [event(3).eventId, event(5).eventId],
    ]);
    expect(await queueLength(queue)).toBe(0);
  });

  it.each([
    ['a network error', () => new TypeError('Failed to fetch')],
    ['a 503 from the edge', () => ({ status: 503, body: { error: 'collector_unavailable', message: 'down' } })],
    ['a 500', () => ({ status: 500, body: undefined })],
  ])('keeps the events after %s and sends them again on the next flush', async (_label, failure) => {
    let fail = true;
    const { batcher, transport, queue } = setup({ answer: () => (fail ? failure() : undefined) });
    await queue.enqueue([event(1)]);
    await queue.enqueue([event(2)]);
    await batcher.flush();
    expect(await queueLength(queue)).toBe(2);
    fail = false;
    await batcher.flush();
    expect(transport.sent.map(ids)).toEqual([
      [event(1).eventId, event(2).eventId],
      [event(1).eventId, event(2).eventId],
    ]);
    expect(await queueLength(queue)).toBe(0);
  });

  it('retries a failed send by itself, later each time', async () => {
    const { batcher, transport } = setup({ flushIntervalMs: 1000, answer: () => new TypeError('offline') });
    batcher.add(event(1));
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(transport.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
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
    await queue.enqueue([event(1)]);
    await queue.enqueue([event(2)]);
    await batcher.flush();
    expect(await queueLength(queue)).toBe(0);
    expect(logged).toContain('[sessionflow] rejected');
  });

  it('drops a batch the edge refuses as malformed (400), which no retry could fix', async () => {
    const { batcher, queue, transport } = setup({ answer: () => ({ status: 400, body: { error: 'bad_request', message: 'events: must be an array' } }) });
    await queue.enqueue([event(1)]);
    await batcher.flush();
    await batcher.flush();
    expect(await queueLength(queue)).toBe(0);
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
    await queue.enqueue([event(1)]);
    const first = batcher.flush();
    const second = batcher.flush();
    await inFlight;
    await queue.enqueue([event(2)]);
    release();
    await Promise.all([first, second]);
    expect(transport.sent.map(ids)).toEqual([[event(1).eventId], [event(2).eventId]]);
    expect(await queueLength(queue)).toBe(0);
  });

  it.each([
    ['seconds', '3', 3000],
    ['an HTTP date', new Date(Date.UTC(2025, 0, 15) + 5000).toUTCString(), 5000],
  ])('waits as long as Retry-After (%s) asks after a 503, then delivers', async (_label, retryAfter, waitMs) => {
    let answers = 0;
    const { batcher, transport, queue } = setup({
      answer: () => (answers++ === 0 ? { status: 503, body: undefined, retryAfter } : undefined),
    });
    await queue.enqueue([event(1)]);
    await batcher.flush();
    await vi.advanceTimersByTimeAsync(waitMs - 1);
    expect(transport.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.sent).toHaveLength(2);
    expect(await queueLength(queue)).toBe(0);
  });

  it('does not let a flush asked for while a send was failing jump the backoff or Retry-After', async () => {
    let release: () => void = () => {};
    const { batcher, transport, queue } = setup({ answer: () => (transport.sent.length === 1 ? { status: 503, body: undefined, retryAfter: '5' } : undefined) });
    const send = transport.send.bind(transport);
    transport.send = async (url, body) => {
      const answer = await send(url, body);
      if (transport.sent.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return answer;
    };
    await queue.enqueue([event(1)]);
    const first = batcher.flush();
    await vi.advanceTimersByTimeAsync(0);
    batcher.add(event(2));
    const meanwhile = batcher.flush();
    release();
    await Promise.all([first, meanwhile]);
    expect(transport.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(4999);
    expect(transport.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.sent.map(ids)).toEqual([[event(1).eventId], [event(1).eventId, event(2).eventId]]);
    expect(await queueLength(queue)).toBe(0);
  });

  it('holds the queue while offline and sends nothing, counting no failure', async () => {
    let online = false;
    const { batcher, transport, queue } = setup({ online: () => online });
    batcher.add(event(1));
    await vi.advanceTimersByTimeAsync(10_000);
    await batcher.flush();
    expect(transport.sent).toHaveLength(0);
    online = true;
    await batcher.flush();
    expect(transport.sent.map(ids)).toEqual([[event(1).eventId]]);
    expect(await queueLength(queue)).toBe(0);
  });

  it('keeps each batch under the keepalive cap by sending fewer events', async () => {
    const big = (n: number) => ({ ...event(n), type: 'x'.repeat(5000) });
    const q = setup({ maxBatch: 20 });
    for (let n = 1; n <= 20; n++) await q.queue.enqueue([big(n)]);
    await q.batcher.flush();
    const sizes = q.transport.sent.map((b) => new Blob([JSON.stringify(b.body)]).size);
    expect(sizes.every((size) => size < 60_000)).toBe(true);
    expect(q.transport.sent.length).toBeGreaterThan(1);
    expect(q.transport.sent.flatMap((b) => ids(b) ?? [])).toEqual(Array.from({ length: 20 }, (_, i) => big(i + 1).eventId));
  });

  it('counts what the bound drops, keeps the count across pages, and reports it after the next delivery', async () => {
    const store = fakeStore();
    const reported: number[] = [];
    const first = setup({ capacity: 2, dropped: droppedCount(store), answer: () => new TypeError('offline') });
    for (const n of [1, 2, 3, 4, 5]) first.batcher.add(event(n));
    // Written to the queue in the next task, all five in one go.
    expect(await queueLength(first.queue)).toBe(0);
    await vi.advanceTimersByTimeAsync(0);
    first.batcher.stop();
    expect(await first.queue.peek(10)).toEqual([event(4), event(5)]);
    // The next page load: a new batcher over the same storage, and an edge that answers.
    const next = setup({ dropped: droppedCount(store), reportDropped: (count) => void reported.push(count) });
    next.batcher.add(event(6));
    expect(reported).toEqual([]);
    await next.batcher.flush();
    expect(reported).toEqual([3]);
    next.batcher.add(event(7));
    await next.batcher.flush();
    expect(reported).toEqual([3]);
  });

  it('keeps a captured event in memory only for a moment, and writes it before any send', async () => {
    const { batcher, queue, transport } = setup({ answer: () => new TypeError('offline') });
    batcher.add(event(1));
    batcher.add(event(2));
    expect(await queueLength(queue)).toBe(0);
    await batcher.flush();
    expect(transport.sent.map(ids)).toEqual([[event(1).eventId, event(2).eventId]]);
    expect(await queueLength(queue)).toBe(2);
  });

  it('writes a captured event to the queue in the next task: a browser killed after that loses nothing of it', async () => {
    const { batcher, queue } = setup({ answer: () => new TypeError('offline') });
    batcher.add(event(1));
    // Not in the capture task itself: writing there is what capture must not pay for.
    expect(await queueLength(queue)).toBe(0);
    await vi.advanceTimersByTimeAsync(0);
    expect((await queue.peek(10)).map((e) => e.eventId)).toEqual([event(1).eventId]);
  });

  it('writes once at a time, and what is captured during a write goes in one write after it', async () => {
    const base = memoryQueue<TestEvent>();
    const writes: string[][] = [];
    let finish: () => void = () => {};
    const queue = {
      ...base,
      async enqueue(events: readonly TestEvent[]) {
        writes.push(events.map((e) => e.eventId));
        // The first write takes a while, as an IndexedDB transaction does.
        if (writes.length === 1) await new Promise<void>((resolve) => (finish = resolve));
        return base.enqueue(events);
      },
    };
    const batcher = createBatcher(queue, fakeTransport(() => new TypeError('offline')), { collectUrl: URL, maxBatch: 20, flushIntervalMs: 1000, now: () => Date.now() });
    batcher.add(event(1));
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toEqual([[event(1).eventId]]);
    batcher.add(event(2));
    batcher.add(event(3));
    await vi.advanceTimersByTimeAsync(0);
    // The first is still under way: the two wait for it rather than start writes of their own.
    expect(writes).toHaveLength(1);
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toEqual([[event(1).eventId], [event(2).eventId, event(3).eventId]]);
    expect(await queueLength(base)).toBe(3);
    // Idle again: the next event starts a write of its own at once.
    batcher.add(event(4));
    await vi.advanceTimersByTimeAsync(0);
    expect(writes.at(-1)).toEqual([event(4).eventId]);
  });

  it('still beacons an event captured while a send was under way, when the queue was found empty after it', async () => {
    let release: () => void = () => {};
    let started: () => void = () => {};
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    const { batcher, transport } = setup();
    const beacons: string[][] = [];
    transport.beacon = (_url, body) => (beacons.push((JSON.parse(body) as SentBatch['body']).events.map((e) => e.eventId)), true);
    const send = transport.send.bind(transport);
    transport.send = async (url, body) => {
      const answer = await send(url, body);
      started();
      await new Promise<void>((resolve) => (release = resolve));
      return answer;
    };
    batcher.add(event(1));
    const flushed = batcher.flush();
    await inFlight;
    // Captured while event 1 is on its way, and not written to the queue yet when the drain looks again.
    batcher.add(event(2));
    release();
    await flushed;
    expect(transport.sent.map(ids)).toEqual([[event(1).eventId]]);
    batcher.leave();
    expect(beacons).toEqual([[event(2).eventId]]);
  });

  it('after a long outage without Retry-After, delivers within a few seconds of the edge answering again', async () => {
    const outageMs = 45_000;
    // The bound: delivery within 5 s of the recovery, whatever the outage's length.
    const promptMs = 5000;
    const start = Date.now();
    const tries: number[] = [];
    const { batcher, queue } = setup({
      answer: () => (tries.push(Date.now()), Date.now() - start < outageMs ? { status: 503, body: undefined } : undefined),
    });
    batcher.add(event(1));
    await vi.advanceTimersByTimeAsync(outageMs + promptMs);
    expect(await queueLength(queue)).toBe(0);
    const gaps = tries.slice(1).map((t, i) => t - tries[i]!);
    // Growing at first (1, 2 s without jitter: the edge is not hammered), then never longer than the cap.
    expect(gaps.slice(0, 2)).toEqual([1000, 2000]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(promptMs);
  });

  it('writes what it holds to the queue when the page is left offline, instead of a beacon', async () => {
    const beacons: string[] = [];
    const { batcher, queue, transport } = setup({ online: () => false });
    transport.beacon = (_url, body) => (beacons.push(body), true);
    batcher.add(event(1));
    batcher.leave();
    await vi.advanceTimersByTimeAsync(0);
    expect(beacons).toEqual([]);
    expect(await queue.peek(10)).toEqual([event(1)]);
  });

  it('sends the queue only with the sender lock, trying again later, but its own new events at once', async () => {
    let busy = true;
    const { batcher, transport, queue } = setup({ lock: async (send) => (busy ? false : (await send(), true)) });
    // Left by an earlier page: only the tab that holds the lock sends it.
    await queue.enqueue([event(0)]);
    batcher.add(event(1));
    await vi.advanceTimersByTimeAsync(1000);
    expect(transport.sent.map(ids)).toEqual([[event(1).eventId]]);
    busy = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(transport.sent.map(ids)).toEqual([[event(1).eventId], [event(0).eventId]]);
    expect(await queueLength(queue)).toBe(0);
  });

  it('on leaving, hands the page\u2019s unconfirmed events to a beacon and removes what it took', async () => {
    const beacons: string[] = [];
    const { batcher, transport, queue } = setup({ answer: () => new TypeError('offline') });
    transport.beacon = (url, body) => (beacons.push(body), url === URL);
    batcher.add(event(1));
    batcher.add(event(2));
    batcher.leave();
    expect(beacons.map((body) => (JSON.parse(body) as SentBatch['body']).events.map((e) => e.eventId))).toEqual([[event(1).eventId, event(2).eventId]]);
    await vi.advanceTimersByTimeAsync(0);
    expect(await queueLength(queue)).toBe(0);
  });

  it('on leaving, beacons each visitor\u2019s events apart', async () => {
    const beacons: string[] = [];
    const { batcher, transport, queue } = setup({ answer: () => new TypeError('offline') });
    transport.beacon = (_url, body) => (beacons.push(body), true);
    batcher.add(event(1, 'visitor-1'));
    batcher.add(event(2, 'visitor-2'));
    batcher.add(event(3, 'visitor-1'));
    batcher.leave();
    const sent = beacons.map((body) => (JSON.parse(body) as { events: TestEvent[] }).events.map((e) => `${e.anonymousId} ${e.eventId}`));
    expect(sent).toEqual([
      [`visitor-1 ${event(1).eventId}`, `visitor-1 ${event(3).eventId}`],
      [`visitor-2 ${event(2).eventId}`],
    ]);
    await vi.advanceTimersByTimeAsync(0);
    expect(await queueLength(queue)).toBe(0);
  });

  it('keeps in the queue what a beacon refused, and beacons nothing while offline', async () => {
    let online = true;
    const { batcher, transport, queue } = setup({ maxBatch: 1, online: () => online, answer: () => new TypeError('offline') });
    const beacons: string[] = [];
    transport.beacon = (_url, body) => beacons.push(body) < 2;
    batcher.add(event(1));
    batcher.add(event(2));
    batcher.add(event(3));
    batcher.leave();
    await vi.advanceTimersByTimeAsync(0);
    expect(beacons).toHaveLength(2);
    expect((await queue.peek(10)).map((e) => e.eventId)).toEqual([event(2).eventId, event(3).eventId]);
    online = false;
    batcher.leave();
    expect(beacons).toHaveLength(2);
  });

  it('does not beacon what this page already delivered', async () => {
    const beacons: string[] = [];
    const { batcher, transport } = setup();
    transport.beacon = (_url, body) => (beacons.push(body), true);
    batcher.add(event(1));
    await batcher.flush();
    batcher.leave();
    expect(beacons).toEqual([]);
  });

  it('does not beacon what another tab delivered and announced', async () => {
    const beacons: string[] = [];
    const posted: unknown[] = [];
    const tabs = { postMessage: (ids: unknown) => void posted.push(ids), onmessage: null as BroadcastChannel['onmessage'] };
    const { batcher, transport } = setup({ tabs });
    transport.beacon = (_url, body) => (beacons.push(body), true);
    batcher.add(event(1));
    batcher.add(event(2));
    tabs.onmessage?.call(tabs as unknown as BroadcastChannel, new MessageEvent('message', { data: [event(1).eventId] }));
    batcher.leave();
    expect(beacons.map((body) => (JSON.parse(body) as SentBatch['body']).events.map((e) => e.eventId))).toEqual([[event(2).eventId]]);
    // And it tells the others what it delivered itself (here event 1, which the fake queue still holds).
    await batcher.flush();
    expect(transport.sent.map(ids)).toEqual([[event(1).eventId]]);
    expect(posted).toEqual([[event(1).eventId]]);
  });
});

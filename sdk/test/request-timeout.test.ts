/**
 * Every collect request has a timeout: a request the edge never answers is
 * aborted, fails like a network error, gives the cross-tab sender lock back
 * and is sent again after the usual backoff.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBatcher } from '../src/delivery/batcher.js';
import { senderLock } from '../src/delivery/sender-lock.js';
import { memoryQueue } from '../src/queue/memory-queue.js';
import { fetchTransport } from '../src/transport/transport.js';
import { fakeLocks, queueLength } from './fakes.js';

const URL = 'http://edge.test/v1/collect?site=demo-site-key';
const TIMEOUT_MS = 5000;

interface FetchCall {
  body: string;
  signal: AbortSignal | undefined;
  outcome: 'pending' | 'answered' | 'aborted';
}

type Step = 'hang' | 'hang-body' | number;

/**
 * A fetch that follows a script, one step per call: `hang` never answers
 * (until its signal aborts, which rejects it with an AbortError, as browsers do),
 * `hang-body` answers 200 but its body never ends (same), a number answers that status.
 */
function scriptedFetch(script: Step[]) {
  const calls: FetchCall[] = [];
  const aborted = (call: FetchCall, signal: AbortSignal | undefined) =>
    new Promise<never>((_resolve, reject) =>
      signal?.addEventListener('abort', () => {
        call.outcome = 'aborted';
        reject(new DOMException('The operation was aborted.', 'AbortError'));
      }),
    );
  const fetchFn = async (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const signal = init?.signal ?? undefined;
    const call: FetchCall = { body: String(init?.body), signal, outcome: 'pending' };
    const step = script[calls.length] ?? 200;
    calls.push(call);
    if (step === 'hang') return aborted(call, signal);
    if (step === 'hang-body') return { status: 200, headers: new Headers(), json: () => aborted(call, signal) } as unknown as Response;
    call.outcome = 'answered';
    return new Response(JSON.stringify({ accepted: 1, rejected: [], actions: [] }), { status: step });
  };
  return { fetchFn: fetchFn as typeof fetch, calls };
}

const ids = (body: string) => (JSON.parse(body) as { events: { eventId: string }[] }).events.map((e) => e.eventId);
const event = (n: number) => ({ eventId: `event-${n}`, anonymousId: 'visitor-1', timestamp: Date.UTC(2025, 0, 15) + n });

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2025, 0, 15) });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('fetchTransport', () => {
  it('aborts a request that has no answer when the timeout is up, and fails it like a network error', async () => {
    const { fetchFn, calls } = scriptedFetch(['hang']);
    const outcome = fetchTransport(fetchFn, undefined, TIMEOUT_MS, () => false)
      .send(URL, '{"events":[]}')
      .then(
        () => 'answered',
        (error: Error) => error.name,
      );
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS - 1);
    expect(calls.map((c) => c.outcome)).toEqual(['pending']);
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toBe('AbortError');
    expect(calls.map((c) => c.outcome)).toEqual(['aborted']);
  });

  it('counts reading the answer within the timeout: a body that never ends is cut off, the status stands', async () => {
    const { fetchFn, calls } = scriptedFetch(['hang-body']);
    const sending = fetchTransport(fetchFn, undefined, TIMEOUT_MS, () => false).send(URL, '{"events":[]}');
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS);
    // The edge answered 200: it took the batch, so the events leave the queue even without the body.
    expect(await sending).toMatchObject({ status: 200, body: undefined });
    expect(calls.map((c) => c.outcome)).toEqual(['aborted']);
  });

  it('leaves no timer behind once the edge has answered', async () => {
    const { fetchFn, calls } = scriptedFetch([200]);
    const answer = await fetchTransport(fetchFn, undefined, TIMEOUT_MS, () => false).send(URL, '{"events":[]}');
    expect(answer.status).toBe(200);
    expect(calls[0]?.signal).toBeInstanceOf(AbortSignal);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS);
    expect(calls[0]?.signal?.aborted).toBe(false);
  });
});

describe('a hung collect request', () => {
  it('gives the sender lock back at the timeout and is sent again after the backoff, where it is delivered', async () => {
    const { locks } = fakeLocks();
    const { fetchFn, calls } = scriptedFetch(['hang', 200]);
    const queue = memoryQueue<ReturnType<typeof event>>();
    const batcher = createBatcher(queue, fetchTransport(fetchFn, undefined, TIMEOUT_MS, () => false), {
      collectUrl: URL,
      maxBatch: 20,
      flushIntervalMs: 1000,
      now: () => Date.now(),
      random: () => 0,
      lock: senderLock(locks),
    });
    const otherTab = senderLock(locks);
    const otherTabMaySend = () => otherTab(async () => {});

    // Left by an earlier page: sent from the queue, which only the holder of the lock does.
    await queue.enqueue([event(1), event(2)]);
    void batcher.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    // While it hangs, this tab holds the lock: no other tab of the site may send.
    expect(await otherTabMaySend()).toBe(false);
    // Captured meanwhile: it goes at once, beside the hung send, not behind it.
    batcher.add(event(3));

    await vi.advanceTimersByTimeAsync(TIMEOUT_MS);
    expect(calls.map((c) => c.outcome)).toEqual(['aborted', 'answered']);
    expect(await otherTabMaySend()).toBe(true);
    expect(await queueLength(queue)).toBe(2);

    // Not at once: after the first backoff step, flushIntervalMs (no jitter here).
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => ids(c.body))).toEqual([['event-1', 'event-2'], ['event-3'], ['event-1', 'event-2']]);
    expect(calls.map((c) => c.outcome)).toEqual(['aborted', 'answered', 'answered']);
    expect(await queueLength(queue)).toBe(0);
  });
});

import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadSdkDelivery, type SdkDelivery, type Transport, type VisitorEvent } from '../../src/shoppers/sdk-delivery.js';

const event = (i: number): VisitorEvent => ({ eventId: `event-${i}`, anonymousId: 'device-1', timestamp: 1_765_000_000_000 + i });

/** A transport that answers from a script, one answer per send, and keeps the bodies. */
function scripted(answers: Array<{ status: number; retryAfter?: string }>) {
  const sent: string[][] = [];
  const transport: Transport = {
    async send(_url, body) {
      sent.push((JSON.parse(body) as { events: VisitorEvent[] }).events.map((e) => e.eventId));
      const next = answers.shift() ?? { status: 200 };
      return { status: next.status, body: { accepted: 0, rejected: [], actions: [] }, retryAfter: next.retryAfter ?? null };
    },
  };
  return { transport, sent };
}

describe("the SDK's delivery code, bundled from sdk/src", () => {
  let sdk: SdkDelivery;
  beforeAll(async () => {
    sdk = await loadSdkDelivery();
  });
  afterEach(() => void vi.useRealTimers());

  it("comes with the SDK's defaults", () => {
    expect(sdk.defaults.maxBatch).toBeGreaterThan(0);
    expect(sdk.defaults.flushIntervalMs).toBeGreaterThan(0);
    expect(sdk.defaults.requestTimeoutMs).toBeGreaterThan(0);
  });

  it('sends what was captured in one turn at once, in one batch, and after a 503 waits what Retry-After says before sending it again', async () => {
    vi.useFakeTimers();
    const { transport, sent } = scripted([{ status: 503, retryAfter: '7' }]);
    const batcher = sdk.createBatcher(sdk.memoryQueue<VisitorEvent>(), transport, {
      collectUrl: 'http://edge.test/v1/collect?site=k',
      maxBatch: sdk.defaults.maxBatch,
      flushIntervalMs: sdk.defaults.flushIntervalMs,
      now: Date.now,
      random: () => 0.5,
    });
    [1, 2, 3].forEach((i) => batcher.add(event(i)));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([['event-1', 'event-2', 'event-3']]);
    await vi.advanceTimersByTimeAsync(6_900);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(sent).toEqual([
      ['event-1', 'event-2', 'event-3'],
      ['event-1', 'event-2', 'event-3'],
    ]);
    batcher.stop();
  });

  it('sends at once when a full batch is waiting', async () => {
    vi.useFakeTimers();
    const { transport, sent } = scripted([]);
    const batcher = sdk.createBatcher(sdk.memoryQueue<VisitorEvent>(), transport, { collectUrl: 'http://edge.test/v1/collect', maxBatch: 4, flushIntervalMs: 60_000, now: Date.now });
    [1, 2, 3, 4].forEach((i) => batcher.add(event(i)));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([['event-1', 'event-2', 'event-3', 'event-4']]);
    batcher.stop();
  });
});

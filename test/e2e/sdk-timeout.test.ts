/**
 * A hung collect request, end to end: the script-tag SDK in Debian's Chromium
 * sends to the real edge in workerd through a proxy that leaves the page's
 * first collect request without an answer. The SDK gives up on it when its
 * timeout is up, and the first retry after the
 * backoff delivers the held events (those captured while it hung went at once,
 * beside it). Twice: an edge that never took the request (each event arrives once),
 * and an edge that processed it while its answer was lost (the held events
 * arrive twice as identical copies, one id each, which downstream counts once).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startHoldProxy, type CollectThrough, type HoldMode, type HoldProxy } from './support/hold-proxy.js';
import { distinctById, ofType, openShop, readQueue, sdk, withContext, type PageIds } from './support/sdk-page.js';
import { useSdkStack } from './support/sdk-stack.js';
import type { RelayedEvent } from './support/stub-collector.js';

const env = useSdkStack();
let proxy: HoldProxy;

beforeAll(async () => {
  proxy = await startHoldProxy(env.stack.edgeUrl);
});

afterAll(async () => {
  await proxy?.close();
});

/** Short, so the test is; the default (10 s) is the SDK's unit tests' business. */
const TIMEOUT_MS = 3000;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, select: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = select();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; proxy log:\n${proxy.log.join('\n')}`);
    await pause(100);
  }
}

interface Outcome {
  ids: PageIds;
  held: CollectThrough;
  /** This visitor's collect requests, in order. */
  mine: CollectThrough[];
  /** Every event id this visitor's requests carried. */
  onTheWire: Set<string>;
  counts: Map<string, number>;
  relayed: RelayedEvent[];
}

/** Opens the shop with the next collect request held, captures more while it hangs, and waits until everything arrived. */
async function firstRequestHung(mode: HoldMode): Promise<Outcome> {
  let outcome: Outcome | undefined;
  await withContext(env.browser, async (context) => {
    const from = proxy.requests.length;
    proxy.holdNext(mode);
    const endpoint = encodeURIComponent(proxy.url);
    const { page, ids } = await openShop(context, `${env.stack.pageOrigin}/shop/hung-${mode}?sf-endpoint=${endpoint}&sf-request-timeout-ms=${TIMEOUT_MS}`);
    const held = await until('the first collect request', () => proxy.requests[from]);
    expect(held).toMatchObject({ held: true, anonymousIds: [ids.anonymousId] });

    // Captured while the first request hangs: sent at once, beside it.
    const api = sdk(page);
    for (let i = 0; i < 3; i++) await api.track('while_hung', { i });
    await page.click('#buy');

    const mineOf = () => proxy.requests.slice(from).filter((r) => r.anonymousIds.includes(ids.anonymousId));
    const wire = () => new Set(mineOf().flatMap((r) => r.eventIds));
    const relayedOf = () => env.stack.collector.eventsOf(ids.anonymousId);
    await env.stack.collector.waitFor(() => {
      const relayed = relayedOf();
      const counts = env.stack.collector.countsById();
      const named = ofType(relayed, 'track', (e) => e.name === 'while_hung').length >= 3 && ofType(relayed, 'click').length >= 1;
      return named && [...wire()].every((id) => (counts.get(id) ?? 0) > 0) ? true : undefined;
    }, 30_000);
    // The held events leave the queue only once the retry after the timeout was answered (what was captured
    // meanwhile went at once, beside the hung request), which may come after everything was relayed.
    const deadline = Date.now() + 20_000;
    while ((await readQueue(page)).length > 0 && Date.now() < deadline) await pause(200);
    // Room for a late copy to show up.
    await pause(2000);
    expect(await readQueue(page)).toEqual([]);
    outcome = { ids, held, mine: mineOf(), onTheWire: wire(), counts: env.stack.collector.countsById(), relayed: relayedOf() };
  });
  return outcome!;
}

/** The requests that carried any of `eventIds`. */
const carrying = (requests: CollectThrough[], eventIds: string[]) => requests.filter((r) => r.eventIds.some((id) => eventIds.includes(id)));

/** What both cases show: the page gave the held request up, and the first retry delivered all it carried, to the edge, answered. */
function expectGivenUpAndRetriedOnce({ held, mine, relayed }: Outcome): void {
  expect(held.abandoned).toBe(true);
  expect(held.answered).toBe(false);
  // One visitor per request.
  expect(mine.every((r) => r.anonymousIds.length === 1)).toBe(true);
  // The held events went on the wire twice: the held request and the first retry, which the edge answered.
  const [first, retry, ...later] = carrying(mine, held.eventIds);
  expect(first?.n).toBe(held.n);
  expect(retry).toMatchObject({ held: false, answered: true, edgeStatus: 200 });
  expect(retry!.eventIds).toEqual(expect.arrayContaining(held.eventIds));
  expect(later).toEqual([]);
  // The page gave up before it tried again: the retry came after the abandon, not beside a request still open.
  expect(proxy.log.indexOf(`request ${held.n} abandoned by the page`)).toBeLessThan(proxy.log.indexOf(`request ${retry!.n} answered 200`));
  expect(proxy.log.indexOf(`request ${held.n} abandoned by the page`)).toBeGreaterThanOrEqual(0);
  // The landing page view was in the held request and arrived; so did what was captured while it hung;
  // and nothing arrived as two different events under one id.
  const landing = ofType(distinctById(relayed).unique, 'page_view');
  expect(landing).toHaveLength(1);
  expect(held.eventIds).toContain(landing[0]!.eventId);
  expect(new Set(ofType(relayed, 'track', (e) => e.name === 'while_hung').map((e) => (e.props as { i: number }).i))).toEqual(new Set([0, 1, 2]));
  expect(distinctById(relayed).conflicting).toEqual([]);
}

test('an edge that never answers and never took the request: given up at the timeout, every event arrives once, by the first retry', { timeout: 90_000 }, async () => {
  const outcome = await firstRequestHung('swallow');
  expectGivenUpAndRetriedOnce(outcome);
  expect(outcome.held.edgeStatus).toBeUndefined();
  expect(outcome.held.eventIds.length).toBeGreaterThan(0);
  const notOnce = [...outcome.onTheWire].filter((id) => outcome.counts.get(id) !== 1).map((id) => `${id} ×${outcome.counts.get(id) ?? 0}`);
  expect(notOnce).toEqual([]);
  expect(outcome.relayed.length).toBe(outcome.onTheWire.size);
});

test('an edge that took the request but whose answer never came: given up, sent again once, no event missing and none as two different events', { timeout: 90_000 }, async () => {
  const outcome = await firstRequestHung('forward');
  expectGivenUpAndRetriedOnce(outcome);
  expect(outcome.held.edgeStatus).toBe(200);
  // The edge relayed the held events twice (the hung request's and the retry's): the same events, one id each.
  const heldCounts = outcome.held.eventIds.map((id) => outcome.counts.get(id));
  expect(heldCounts).toEqual(outcome.held.eventIds.map(() => 2));
  const others = [...outcome.onTheWire].filter((id) => !outcome.held.eventIds.includes(id));
  expect(others.filter((id) => outcome.counts.get(id) !== 1)).toEqual([]);
  const { unique } = distinctById(outcome.relayed);
  expect(unique.length).toBe(outcome.onTheWire.size);
});

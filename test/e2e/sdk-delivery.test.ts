/**
 * Delivery that loses nothing, end to end: the script-tag SDK in Debian's
 * Chromium, the real edge in workerd, and a stub collector that records every
 * event the edge relays, duplicates included. Offline, a closing tab, a reload
 * mid-flush, a failing endpoint and two tabs sharing one queue.
 */
import { expect, test } from 'vitest';
import { distinctById, ofType, openShop, readQueue, sdk, waitForSdk, watchCollectRequests, withContext, type PageIds } from './support/sdk-page.js';
import { useSdkStack } from './support/sdk-stack.js';
import type { RelayedEvent } from './support/stub-collector.js';

const env = useSdkStack();

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isCollect = (url: URL): boolean => url.pathname === '/v1/collect';

const relayedOf = (ids: PageIds): RelayedEvent[] => env.stack.collector.eventsOf(ids.anonymousId);

/** Waits until every id in `eventIds` was relayed at least once. */
function allArrived(eventIds: Iterable<string>, timeoutMs = 20_000): Promise<true> {
  const wanted = [...eventIds];
  return env.stack.collector.waitFor(() => {
    const counts = env.stack.collector.countsById();
    return wanted.every((id) => (counts.get(id) ?? 0) > 0) ? true : undefined;
  }, timeoutMs);
}

const OFFLINE_MS = 30_000;

test('offline for 30 s: what is captured meanwhile arrives exactly once when back online', { timeout: 120_000 }, async () => {
  await withContext(env.browser, async (context) => {
    const { page, ids } = await openShop(context, `${env.stack.pageOrigin}/shop/offline`);
    const api = sdk(page);
    // The landing page view leaves while online, so the queue holds only what the outage saw.
    await env.stack.collector.waitFor(() => (ofType(relayedOf(ids), 'page_view').length > 0 ? true : undefined));

    await context.setOffline(true);
    const offlineAt = Date.now();
    const steps = 10;
    for (let i = 0; i < steps; i++) {
      await page.click(i % 2 === 0 ? '#buy' : 'button.add');
      await api.track('offline_step', { i });
      // A flush while offline must leave the events queued.
      if (i === steps / 2) await api.flush();
      await pause(OFFLINE_MS / steps - 200);
    }
    await pause(Math.max(0, offlineAt + OFFLINE_MS - Date.now()));

    const queued = await readQueue(page);
    const offlineSteps = ofType(queued, 'track', (e) => e.name === 'offline_step').map((e) => (e.props as { i: number }).i);
    expect(offlineSteps.sort((a, b) => a - b)).toEqual([...Array(steps).keys()]);
    expect(ofType(queued, 'click')).toHaveLength(steps);
    expect(queued.every((e) => e.anonymousId === ids.anonymousId)).toBe(true);
    // Nothing got out during the outage.
    expect(env.stack.collector.arrivals.filter((a) => a.at >= offlineAt && a.event.anonymousId === ids.anonymousId)).toEqual([]);

    await context.setOffline(false);
    await allArrived(queued.map((e) => e.eventId));
    // Room for a late second copy to show up: a few flush intervals.
    await pause(3000);

    const counts = env.stack.collector.countsById();
    const twice = queued.filter((e) => counts.get(e.eventId) !== 1).map((e) => `${e.type} ${e.eventId} ×${counts.get(e.eventId)}`);
    expect(twice).toEqual([]);
    const relayed = relayedOf(ids);
    expect(relayed.length).toBe(new Set(relayed.map((e) => e.eventId)).size);
    expect(await readQueue(page)).toEqual([]);
  });
});

test('a click immediately followed by closing the tab arrives (by beacon, or from the queue on the next visit)', async () => {
  await withContext(env.browser, async (context) => {
    const { page, ids } = await openShop(context, `${env.stack.pageOrigin}/shop/leaving`);
    await env.stack.collector.waitFor(() => (ofType(relayedOf(ids), 'page_view').length > 0 ? true : undefined));

    const clickedAt = Date.now();
    await page.click('#buy');
    await page.close({ runBeforeUnload: true });

    const isTheClick = (e: RelayedEvent) => (e.element as { text?: string }).text === 'Buy now' && e.timestamp >= clickedAt;
    const clicks = () => ofType(relayedOf(ids), 'click', isTheClick);
    let arrived = await env.stack.collector.waitFor(() => (clicks().length > 0 ? clicks() : undefined), 5000).catch(() => undefined);
    if (arrived === undefined) {
      // Not by beacon: the click waited in IndexedDB, and the next visit of the site sends it.
      process.stderr.write('[sdk-delivery] the click did not come by beacon; reopening the site\n');
      await openShop(context, `${env.stack.pageOrigin}/shop/back`);
      arrived = await env.stack.collector.waitFor(() => (clicks().length > 0 ? clicks() : undefined), 10_000);
    }
    expect(new Set(arrived.map((e) => e.eventId)).size).toBe(1);
    const { conflicting } = distinctById(arrived);
    expect(conflicting).toEqual([]);
    expect(arrived[0]).toMatchObject({ sessionId: ids.sessionId, element: { tag: 'button', text: 'Buy now' } });
  });
});

test('a reload in the middle of a flush: nothing lost, no event id delivered as two different events', async () => {
  await withContext(env.browser, async (context) => {
    const sent = watchCollectRequests(context);
    let holdNext = true;
    let heldIds: (ids: string[]) => void;
    const held = new Promise<string[]>((resolve) => (heldIds = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const continued: string[] = [];
    // The first batch that carries the marker is held on its way to the edge until the page has reloaded.
    await context.route(isCollect, async (route) => {
      const body = route.request().postData() ?? '';
      if (holdNext && body.includes('"before_reload"')) {
        holdNext = false;
        heldIds((JSON.parse(body) as { events: RelayedEvent[] }).events.map((e) => e.eventId));
        await released;
        await route.continue().then(
          () => continued.push('held batch went on to the edge'),
          (err: Error) => continued.push(`held batch could not go on: ${err.message}`),
        );
        return;
      }
      await route.continue().catch(() => {});
    });

    const { page, ids } = await openShop(context, `${env.stack.pageOrigin}/shop/reload`);
    const api = sdk(page);
    for (let i = 0; i < 3; i++) await api.track('before_reload', { i });
    await page.click('button.add');
    const inFlight = await held;
    const queuedBefore = await readQueue(page);
    // The held batch is still queued: the edge has not answered it.
    expect(queuedBefore.map((e) => e.eventId)).toEqual(expect.arrayContaining(inFlight));

    await page.reload();
    release();
    await waitForSdk(page);
    await api.track('after_reload');

    const everything = new Set([...queuedBefore.map((e) => e.eventId), ...sent.flatMap((b) => b.events.map((e) => e.eventId))]);
    await allArrived(everything);
    await env.stack.collector.waitFor(() => (ofType(relayedOf(ids), 'track', (e) => e.name === 'after_reload').length > 0 ? true : undefined));
    await pause(3000);
    process.stderr.write(`[sdk-delivery] reload mid-flush: ${continued.join('; ')}\n`);

    const relayed = relayedOf(ids);
    const { unique, conflicting } = distinctById(relayed);
    expect(conflicting).toEqual([]);
    // Every event made before the reload is there once or more, as the same event.
    const steps = ofType(unique, 'track', (e) => e.name === 'before_reload').map((e) => (e.props as { i: number }).i);
    expect(steps.sort()).toEqual([0, 1, 2]);
    expect(ofType(unique, 'click')).toHaveLength(1);
    expect(ofType(unique, 'page_view')).toHaveLength(2);
    expect(unique.every((e) => e.sessionId === ids.sessionId)).toBe(true);
  });
});

const RETRY_AFTER_S = 4;

test('the endpoint answering 500, then 503 with Retry-After: retried, the wait honoured, then delivered', async () => {
  await withContext(env.browser, async (context) => {
    // The page's own clock around each collect fetch: when it started and when its answer came.
    await context.addInitScript(() => {
      const w = window as unknown as { __collectTimes: { start: number; end?: number; status?: number }[] };
      w.__collectTimes = [];
      const original = window.fetch.bind(window);
      window.fetch = async (input, init) => {
        const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        if (!url.includes('/v1/collect')) return original(input, init);
        const entry: { start: number; end?: number; status?: number } = { start: performance.now() };
        w.__collectTimes.push(entry);
        const response = await original(input, init);
        entry.end = performance.now();
        entry.status = response.status;
        return response;
      };
    });
    const batches: string[][] = [];
    await context.route(isCollect, async (route) => {
      const events = (JSON.parse(route.request().postData() ?? '{}') as { events?: RelayedEvent[] }).events ?? [];
      batches.push(events.map((e) => e.eventId));
      const headers = {
        'access-control-allow-origin': env.stack.pageOrigin,
        'access-control-expose-headers': 'Retry-After',
        'content-type': 'application/json',
      };
      if (batches.length === 1) {
        await route.fulfill({ status: 500, headers, body: JSON.stringify({ error: 'internal_error', message: 'injected by the test' }) });
      } else if (batches.length === 2) {
        await route.fulfill({
          status: 503,
          headers: { ...headers, 'retry-after': String(RETRY_AFTER_S) },
          body: JSON.stringify({ error: 'collector_unavailable', message: 'injected by the test' }),
        });
      } else {
        await route.continue();
      }
    });

    const { page, ids } = await openShop(context, `${env.stack.pageOrigin}/shop/retry`);
    const firstBatch = await env.stack.collector.waitFor(() => (batches.length >= 1 ? batches[0] : undefined));
    expect(firstBatch.length).toBeGreaterThan(0);
    await allArrived(firstBatch, 20_000);

    // The 500 and the 503 batches carried the landing events, and the one after them delivered them.
    expect(batches.length).toBeGreaterThanOrEqual(3);
    expect(batches[1]).toEqual(expect.arrayContaining(firstBatch));
    const view = ofType(relayedOf(ids), 'page_view');
    expect(view).toHaveLength(1);
    expect(firstBatch).toContain(view[0]!.eventId);

    const times = await page.evaluate(() => (window as unknown as { __collectTimes: { start: number; end?: number; status?: number }[] }).__collectTimes);
    expect(times.slice(0, 3).map((t) => t.status)).toEqual([500, 503, 200]);
    // The retry after the 503 came no sooner than Retry-After (1 ms of timer rounding allowed).
    expect(times[2]!.start - times[1]!.end!).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1000 - 1);
    const counts = env.stack.collector.countsById();
    expect(firstBatch.map((id) => counts.get(id))).toEqual(firstBatch.map(() => 1));
  });
});

test('two tabs: one session id, and no event sent twice by the two tabs', async () => {
  await withContext(env.browser, async (context) => {
    const sent = watchCollectRequests(context);
    const a = await openShop(context, `${env.stack.pageOrigin}/shop/tab-a`);
    const b = await openShop(context, `${env.stack.pageOrigin}/shop/tab-b`);
    expect(b.ids).toEqual(a.ids);

    const steps = 5;
    for (let i = 0; i < steps; i++) {
      await sdk(a.page).track('tab_step', { tab: 'a', i });
      await sdk(b.page).track('tab_step', { tab: 'b', i });
      await a.page.click('#buy');
      await b.page.click('button.add');
      await pause(300);
    }
    const mine = () => relayedOf(a.ids);
    await env.stack.collector.waitFor(() =>
      ofType(mine(), 'track').length >= 2 * steps && ofType(mine(), 'click').length >= 2 * steps && ofType(mine(), 'page_view').length >= 2
        ? true
        : undefined,
    );
    await pause(3000);

    const onTheWire = sent.flatMap((batch) => batch.events.map((e) => e.eventId));
    expect(onTheWire.length).toBeGreaterThan(0);
    expect(onTheWire.length).toBe(new Set(onTheWire).size);
    const relayed = mine();
    expect(relayed.map((e) => e.eventId).length).toBe(new Set(relayed.map((e) => e.eventId)).size);
    expect(new Set(relayed.map((e) => e.sessionId))).toEqual(new Set([a.ids.sessionId]));
    const tabSteps = ofType(relayed, 'track', (e) => e.name === 'tab_step').map((e) => JSON.stringify(e.props));
    expect(tabSteps).toHaveLength(2 * steps);
    expect(new Set(tabSteps).size).toBe(2 * steps);

    // Closing a tab does not send again what the other tab already delivered for it.
    const before = relayed.length;
    await b.page.close({ runBeforeUnload: true });
    await pause(2000);
    const after = mine();
    expect(after.slice(before).filter((e) => relayed.some((r) => r.eventId === e.eventId))).toEqual([]);
  });
});

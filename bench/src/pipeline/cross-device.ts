/**
 * The cross-device loop: a user signed in on two devices; device A's product
 * click is posted to the edge (workerd), and timed until the collector's read
 * API answers the user's profile — what device B's edge reads — with that
 * product as the most recent view.
 */
import { performance } from 'node:perf_hooks';
import { sign } from 'hono/jwt';
import { SCHEMA_VERSION } from '@sessionflow/core';
import type { Stack } from '@sessionflow/infra';
import { progress } from '../progress.js';
import { round } from '../stats.js';
import { PRODUCTS } from './workload.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function crossDevice(stack: Stack, rounds: number): Promise<number[]> {
  const userId = `bench-user-${Date.now().toString(36)}`;
  const deviceA = { anonymousId: `anon-a-${Date.now().toString(36)}`, sessionId: `sess-a-${Date.now().toString(36)}` };
  const deviceB = { anonymousId: `anon-b-${Date.now().toString(36)}`, sessionId: `sess-b-${Date.now().toString(36)}` };
  const collect = async (device: typeof deviceA, events: Record<string, unknown>[]) => {
    const res = await fetch(`${stack.edgeUrl}/v1/collect?site=${stack.siteKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: stack.siteOrigin! },
      body: JSON.stringify({
        events: events.map((e) => ({
          schemaVersion: SCHEMA_VERSION,
          eventId: crypto.randomUUID(),
          anonymousId: device.anonymousId,
          sessionId: device.sessionId,
          timestamp: Date.now(),
          page: { url: 'https://shop.example.com/', pageViewId: `pv-${device.sessionId}` },
          ...e,
        })),
      }),
    });
    if (res.status !== 200) throw new Error(`edge answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  };
  const profileHead = async (): Promise<string | undefined> => {
    const res = await fetch(`${stack.collectorUrl}/v1/profile/user/${encodeURIComponent(userId)}`, { headers: { authorization: `Bearer ${stack.readSecret}` } });
    if (res.status !== 200) {
      await res.arrayBuffer();
      return undefined;
    }
    return ((await res.json()) as { recentlyViewed?: string[] }).recentlyViewed?.[0];
  };
  // Signed in as the site's server would sign it in: without the token the edge links nothing.
  const now = Math.floor(Date.now() / 1000);
  const token = await sign({ sub: userId, aud: stack.siteKey, iat: now, exp: now + 600 }, stack.secrets.siteIdentity, 'HS256');
  for (const device of [deviceA, deviceB]) await collect(device, [{ type: 'page_view' }, { type: 'identify', userId, token }]);
  const latencies: number[] = [];
  const bar = progress();
  for (let i = 0; i < rounds; i++) {
    const product = PRODUCTS[i % PRODUCTS.length]!;
    const start = performance.now();
    await collect(deviceA, [{ type: 'click', userId, element: { tag: 'button', text: 'View' }, product: { id: product.id, category: product.category } }]);
    while ((await profileHead()) !== product.id) {
      if (performance.now() - start > 30_000) throw new Error(`device A's click on ${product.id} did not reach the user's profile within 30 s`);
      await sleep(2);
    }
    latencies.push(performance.now() - start);
    bar.update(`  cross-device: ${i + 1}/${rounds}, last ${round(latencies.at(-1)!)} ms`);
  }
  bar.done();
  return latencies;
}

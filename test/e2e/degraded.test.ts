/**
 * Degraded modes on real parts: with the collector gone the edge still takes
 * the batch (the visitor's object keeps it in its outbox until the collector
 * is back; edge/test/relay-failure.test.ts shows the delivery); with Kafka
 * gone the collector says it is not ready.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { newVisitor, pageView } from './support/events.js';
import { startTestStack, type TestStack } from './support/stack.js';

let stack: TestStack;
let failed = false;

beforeAll(async () => {
  // Always our own broker: this file stops it.
  stack = await startTestStack(['edge'], { kafkaBrokers: undefined });
});

afterAll(async () => {
  await stack?.close(failed);
});

async function statusWithin(url: string, want: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let status = 0;
  while (Date.now() < deadline) {
    status = (await fetch(url, { signal: AbortSignal.timeout(5000) }).catch(() => ({ status: -1 }))).status;
    if (status === want) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return status;
}

test('the collector is ready with Kafka up, and not ready once Kafka is down', async (ctx) => {
  ctx.onTestFailed(() => void (failed = true));
  expect((await fetch(`${stack.collectorUrl}/readyz`)).status).toBe(200);
  await stack.stopPart('kafka');
  expect(await statusWithin(`${stack.collectorUrl}/readyz`, 503, 20_000)).toBe(503);
  const body = (await (await fetch(`${stack.collectorUrl}/readyz`)).json()) as { error?: string };
  expect(body.error).toBeTruthy();
  expect((await fetch(`${stack.collectorUrl}/healthz`)).status).toBe(200);
});

test('with the collector stopped, the edge takes the batch into the visitor\'s outbox and says how deep it is', async (ctx) => {
  ctx.onTestFailed(() => void (failed = true));
  await stack.stopPart('collector');
  const visitor = newVisitor();
  const post = () =>
    fetch(`${stack.edgeUrl}/v1/collect?site=${stack.siteKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: stack.siteOrigin! },
      body: JSON.stringify({ events: [pageView(visitor)] }),
    });
  const first = await post();
  expect(first.status).toBe(200);
  expect(await first.json()).toMatchObject({ accepted: 1 });
  const second = await post();
  // The first batch is still waiting for the collector when the second arrives.
  expect(Number(second.headers.get('x-sf-outbox-depth'))).toBeGreaterThanOrEqual(2);
  expect((await fetch(`${stack.edgeUrl}/healthz`)).status).toBe(200);
});

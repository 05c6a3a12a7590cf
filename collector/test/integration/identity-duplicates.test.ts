/**
 * A copy of an event that travels behind a login (an SDK or edge retry whose
 * first answer was lost) against a real Kafka broker and a real redis-server:
 * the first copy is re-keyed to the anonymous device, the login links the
 * device, and the late copy must not be re-keyed to the user's by-user
 * partition as well, where the aggregates stage (which deduplicates per
 * partition) would count the event a second time — in popularity and in every
 * other global sum. The flash-sale benchmark's ledger found such events marked
 * in two by-user partitions.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceRef, SCHEMA_VERSION, userRef, type SessionflowEvent } from '@sessionflow/core';
import type { RunningPipeline } from '../../src/pipeline/pipeline.js';
import type { RunningCollector } from '../../src/server.js';
import type { IdentityOutcome } from '../../src/pipeline/identity/apply.js';
import { envelope, SECRET, signedHeaders } from '../fakes.js';
import { eventually, layoutOf, newVisitor, partsHolding, productClick, scoreOverParts, startInfra, startReadyPipeline, startTestCollector, type Infra, type TestRedis, type Visitor } from './support.js';

const READ_SECRET = 'identity-duplicates-read-secret';
const prefix = 'it-identity-dup';
const layout = layoutOf(prefix);

let infra: Infra;
let redis: TestRedis;
let collector: RunningCollector;
let pipeline: RunningPipeline;
const identityOutcomes: IdentityOutcome[] = [];

beforeAll(async () => {
  infra = await startInfra();
  redis = infra.store;
  collector = await startTestCollector(infra, prefix, READ_SECRET);
  pipeline = await startReadyPipeline(infra, prefix, { onIdentityBatch: (_, outcome) => identityOutcomes.push(outcome) });
}, 180_000);

afterAll(async () => {
  await pipeline?.close();
  await collector?.close();
  await infra?.stop();
});

async function ingest(events: SessionflowEvent[]): Promise<void> {
  const body = JSON.stringify(envelope(events, { receivedAt: Date.now() }));
  const response = await fetch(`${collector.url}/v1/ingest`, { method: 'POST', body, headers: await signedHeaders(body, SECRET, Date.now()) });
  expect(response.status).toBe(202);
}

function identify(visitor: Visitor, userId: string, at: number): SessionflowEvent {
  return { schemaVersion: SCHEMA_VERSION, eventId: `evt-${randomUUID()}`, anonymousId: visitor.anonymousId, sessionId: visitor.sessionId, timestamp: at, page: { url: 'https://shop.example/login', referrer: '' }, type: 'identify', userId };
}

/** A user id whose by-user partition is not the device's: else one partition's marks would catch the copy anyway. */
function userApartFrom(visitor: Visitor): string {
  const devicePartition = layout.owners.eventsByUser.of(deviceRef(visitor.anonymousId));
  for (;;) {
    const userId = `user-${randomUUID()}`;
    if (layout.owners.eventsByUser.of(userRef(userId)) !== devicePartition) return userId;
  }
}

describe('a copy of an event that arrives after the login', () => {
  it('is counted once: in one by-user partition, once in popularity', async () => {
    const device = newVisitor();
    const userId = userApartFrom(device);
    const product = `sku-${randomUUID()}`;
    const t = Date.now() - 60_000;
    const view = productClick(device, product, 'garden', t);

    await ingest([view]);
    await eventually('the anonymous view counted', async () => (await scoreOverParts(redis, layout, (keys) => keys.popularity, product)) !== null, 60_000);
    await ingest([identify(device, userId, t + 1)]);
    // The retry: the same view again, now behind the login in the device's partition of sf.events.
    await ingest([view]);
    const sentinel = `sku-${randomUUID()}`;
    await ingest([{ ...productClick(device, sentinel, 'garden', t + 2), userId }]);
    await eventually('the event after the copy counted under the user', async () => (await scoreOverParts(redis, layout, (keys) => keys.popularity, sentinel)) !== null, 60_000);

    expect(await partsHolding(redis, layout, (keys) => keys.seenEvent(view.eventId))).toBe(1);
    expect(await scoreOverParts(redis, layout, (keys) => keys.popularity, product)).toBe(1);
    expect(identityOutcomes.reduce((n, o) => n + o.duplicates, 0)).toBe(1);
  });
});

/**
 * Where each piece of state lives (src/store/layout.ts): a person's profile in
 * the by-user partition its records go to, a device's identity and sessions in
 * the events partition its events go to, a product in its products and
 * inventory partitions, each found with the partitioner the producers use
 * (kafkajs' own DefaultPartitioner here, as the producers' answer); and the
 * erasure markers copied to every partition whose stages guard them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { deviceRef, topicNames, userRef } from '@sessionflow/core';
import { profileKeysOf } from '../src/pipeline/profiles/commands.js';
import { stateLayout } from '../src/store/layout.js';
import { hashTagOf } from '../src/store/owner.js';

const COUNTS = { events: 6, eventsByUser: 4, products: 3, inventory: 2 };
const layout = stateLayout('sf', COUNTS);
const topics = topicNames('sf');

/** The partition of `topic` a producer sends a record keyed `key` to. */
function producerPartition(topic: string, key: string, count: number): number {
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1], offlineReplicas: [] }));
  return Partitioners.DefaultPartitioner()({ topic, partitionMetadata, message: { key, value: 'v' } });
}

const anyId = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 });
const ref = fc.oneof(anyId.map(userRef), anyId.map(deviceRef));

describe('stateLayout', () => {
  it("keeps all of a person's profile in the by-user partition its records are sent to", () => {
    fc.assert(
      fc.property(ref, (r) => {
        const tag = `${topics.eventsByUser}:${producerPartition(topics.eventsByUser, r, COUNTS.eventsByUser)}`;
        const keys = profileKeysOf(r, layout.profile(r));
        expect(keys.length).toBeGreaterThan(5);
        expect(keys.filter((key) => hashTagOf(key) !== tag)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it("keeps a device's identity links, prefix and sessions in the events partition its events are sent to", () => {
    fc.assert(
      fc.property(anyId, fc.string({ minLength: 1, maxLength: 12 }), (anon, sessionId) => {
        const tag = `${topics.events}:${producerPartition(topics.events, anon, COUNTS.events)}`;
        const identity = layout.deviceIdentity(anon);
        const sessions = layout.deviceSessions(anon);
        const keys = [identity.link(anon), identity.prefixSession(anon), identity.prefixEvents(anon), identity.offset, sessions.device(anon), sessions.session(sessionId), sessions.open, sessions.due, sessions.offset];
        expect(keys.filter((key) => hashTagOf(key) !== tag)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('finds a product in the products partition, and its stock in the inventory partition, its id is sent to', () => {
    for (const id of ['mug', 'pan', 'sku-42', 'ürün', '{x}']) {
      expect(hashTagOf(layout.product(id).products)).toBe(`${topics.products}:${producerPartition(topics.products, id, COUNTS.products)}`);
      expect(hashTagOf(layout.stock(id).inventory)).toBe(`${topics.inventory}:${producerPartition(topics.inventory, id, COUNTS.inventory)}`);
    }
    expect(layout.owners.products.all().map((p) => hashTagOf(layout.productsAt(p).products))).toEqual([0, 1, 2].map((p) => `${topics.products}:${p}`));
  });

  it('visits every by-user partition once for the sums', () => {
    expect(layout.everyByUser().map((keys) => hashTagOf(keys.popularity))).toEqual([0, 1, 2, 3].map((p) => `${topics.eventsByUser}:${p}`));
    expect(layout.byUser(2).offset).toBe(layout.everyByUser()[2]!.offset);
  });

  it('names every partition of the events and by-user topics as a marker scope, once each, and no other', () => {
    const scopes = layout.markerScopes().map(({ topic, partition }) => `${topic}:${partition}`);
    const expected = [...Array.from({ length: COUNTS.events }, (_, p) => `${topics.events}:${p}`), ...Array.from({ length: COUNTS.eventsByUser }, (_, p) => `${topics.eventsByUser}:${p}`)];
    expect([...scopes].sort()).toEqual([...expected].sort());
    expect(new Set(scopes).size).toBe(scopes.length);
  });

  it('refuses a topic without partitions, naming it', () => {
    expect(() => stateLayout('sf', { ...COUNTS, inventory: 0 })).toThrow(/sf\.inventory: a topic has at least one partition, got 0/);
  });
});

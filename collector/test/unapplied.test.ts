/**
 * A batch that begins past the stored offset is refused, so a store that lost
 * writes (a failover to a replica behind its master) is caught up from Kafka
 * instead of skipping the records in between.
 */
import { describe, expect, it } from 'vitest';
import { erasureMarks } from '../src/erasure/marks.js';
import { applyBatch } from '../src/pipeline/apply.js';
import { storeKeys } from '../src/store/keys.js';
import { stateLayout } from '../src/store/layout.js';
import { AppliedOffsets, assertNotRolledBack } from '../src/pipeline/applied-offsets.js';
import { applySessionBatch } from '../src/pipeline/sessions/apply.js';
import { sessionKeys } from '../src/pipeline/sessions/keys.js';
import { StoreBehindLogError } from '../src/pipeline/store-behind.js';
import { unappliedRecords } from '../src/pipeline/unapplied.js';
import { topicOwners } from '../src/store/owner.js';
import { fakeStore } from './fake-store.js';
import { pageView, T0 } from './sessions/events.js';

const at = { topic: 't.events', partition: 4 };
const records = [10n, 11n, 12n].map((offset) => ({ offset }));

describe('unappliedRecords', () => {
  it('takes every record when no offset is stored', () => {
    expect(unappliedRecords(records, null, at).map((r) => r.offset)).toEqual([10n, 11n, 12n]);
  });

  it('takes the records from the stored offset on, a re-delivery below it skipped', () => {
    expect(unappliedRecords(records, '10', at).map((r) => r.offset)).toEqual([10n, 11n, 12n]);
    expect(unappliedRecords(records, '12', at).map((r) => r.offset)).toEqual([12n]);
    expect(unappliedRecords(records, '13', at)).toEqual([]);
  });

  it('refuses a batch that begins past the stored offset, naming both offsets and the partition', () => {
    let thrown: unknown;
    try {
      unappliedRecords(records, '7', at);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StoreBehindLogError);
    const error = thrown as StoreBehindLogError;
    expect([error.topic, error.partition, error.stored, error.expected]).toEqual(['t.events', 4, 7n, 10n]);
    expect(error.message).toContain('t.events partition 4');
    expect(error.message).toContain("the store's offset is 7 but should be at least 10");
    expect(error.resumeFrom).toBe('7');
  });

  it('takes an empty batch whatever is stored', () => {
    expect(unappliedRecords([], '7', at)).toEqual([]);
  });
});

describe('a stage batch past its stored offset', () => {
  const topic = 't.events';
  const prefix = 'sf-test';
  const deps = (store: ReturnType<typeof fakeStore>) => ({
    redis: store.client,
    prefix,
    owners: topicOwners(topic, 1),
    marks: erasureMarks(prefix, 'a-marker-secret-of-the-test-0123456789'),
    seenTtlSeconds: 3_600,
    snapshotIntervalMs: 5_000,
  });
  const message = (offset: number) => {
    const event = pageView(`session-${offset}`, T0 + offset);
    return { offset: String(offset), key: event.anonymousId, value: JSON.stringify(event) };
  };

  it('writes nothing, and says how far the store is behind', async () => {
    const store = fakeStore({ [sessionKeys(prefix, topic, 0).offset]: '20' });
    await expect(applySessionBatch(deps(store), { topic, partition: 0, messages: [message(25), message(26)] })).rejects.toThrow(StoreBehindLogError);
    expect(store.batches).toEqual([]);
  });

  it('writes nothing when the store went back behind what this process stored, though the batch begins at the stored offset', async () => {
    const store = fakeStore({ [sessionKeys(prefix, topic, 0).offset]: '25' });
    await expect(applySessionBatch(deps(store), { topic, partition: 0, messages: [message(25), message(26)], appliedUpTo: 30n })).rejects.toThrow(StoreBehindLogError);
    expect(store.batches).toEqual([]);
  });

  it('applies the batch that begins at the stored offset, and moves the offset past it', async () => {
    const store = fakeStore({ [sessionKeys(prefix, topic, 0).offset]: '25' });
    const outcome = await applySessionBatch(deps(store), { topic, partition: 0, messages: [message(25), message(26)] });
    expect(outcome.applied).toBe(2);
    expect(store.batches).toHaveLength(1);
    expect(store.batches[0]?.commands).toContainEqual(['SET', sessionKeys(prefix, topic, 0).offset, '27']);
  });
});

describe('a store behind what this process stored', () => {
  const at = (appliedUpTo: bigint | undefined) => ({ topic: 't.events', partition: 2, appliedUpTo });

  it('refuses a batch when the stored offset is below the floor, or gone, even with no hole before the batch', () => {
    const behind = () => unappliedRecords(records, '10', at(15n));
    expect(behind).toThrow(StoreBehindLogError);
    expect(behind).toThrow("the store's offset is 10 but should be at least 15");
    let gone: unknown;
    try {
      unappliedRecords(records, null, at(15n));
    } catch (error) {
      gone = error;
    }
    expect(gone).toBeInstanceOf(StoreBehindLogError);
    // Nothing stored any more: the partition starts again from Kafka's earliest record.
    expect((gone as StoreBehindLogError).resumeFrom).toBe('0');
  });

  it('takes the batch when the store is at or past the floor', () => {
    expect(unappliedRecords(records, '10', at(10n)).map((r) => r.offset)).toEqual([10n, 11n, 12n]);
    expect(unappliedRecords(records, '12', at(11n)).map((r) => r.offset)).toEqual([12n]);
  });
});

describe('AppliedOffsets', () => {
  it('keeps the highest offset stored per partition, and forgets one or all', () => {
    const applied = new AppliedOffsets();
    applied.stored('t', 0, 10n);
    applied.stored('t', 0, 8n);
    applied.stored('t', 1, 3n);
    expect(applied.floor('t', 0)).toBe(10n);
    expect(applied.snapshot()).toEqual([
      { topic: 't', partition: 0, offset: 10n },
      { topic: 't', partition: 1, offset: 3n },
    ]);
    applied.forget('t', 0);
    expect(applied.floor('t', 0)).toBeUndefined();
    expect(applied.floor('t', 1)).toBe(3n);
    applied.forgetAll();
    expect(applied.snapshot()).toEqual([]);
  });

  it('asserts nothing without a floor', () => {
    expect(() => assertNotRolledBack(null, { topic: 't', partition: 0 })).not.toThrow();
    expect(() => assertNotRolledBack('4', { topic: 't', partition: 0, appliedUpTo: 5n })).toThrow(StoreBehindLogError);
  });
});

describe('a catalog batch (a compacted topic, with holes in its offsets)', () => {
  const layout = stateLayout('sf-test', { events: 1, eventsByUser: 1, products: 1, inventory: 1 });
  const deps = (store: ReturnType<typeof fakeStore>) => ({ redis: store.client, layout, marks: erasureMarks('sf-test', 'a-marker-secret-of-the-test-0123456789'), seenTtlSeconds: 3_600 });
  const batch = (appliedUpTo?: bigint) => ({ topic: layout.topics.products, partition: 0, messages: [{ offset: '40', key: 'sku-1', value: 'not a catalog entry' }], appliedUpTo });
  const offsetKey = storeKeys('sf-test', layout.topics.products, 0).offset;

  it('takes a hole before the batch as compaction', async () => {
    const store = fakeStore({ [offsetKey]: '35' });
    const outcome = await applyBatch(deps(store), batch());
    expect(outcome).toMatchObject({ applied: 1, unreadable: 1 });
    expect(store.batches[0]?.commands).toContainEqual(['SET', offsetKey, '41']);
  });

  it('refuses it when the store went back behind what this process stored', async () => {
    const store = fakeStore({ [offsetKey]: '35' });
    await expect(applyBatch(deps(store), batch(38n))).rejects.toThrow(StoreBehindLogError);
    expect(store.batches).toEqual([]);
  });
});

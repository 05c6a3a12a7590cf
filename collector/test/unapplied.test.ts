/**
 * A batch that begins past the stored offset is refused, so a store that lost
 * writes (a failover to a replica behind its master) is caught up from Kafka
 * instead of skipping the records in between.
 */
import { describe, expect, it } from 'vitest';
import { erasureMarks } from '../src/erasure/marks.js';
import { applySessionBatch } from '../src/pipeline/sessions/apply.js';
import { sessionKeys } from '../src/pipeline/sessions/keys.js';
import { StoreBehindLogError, unappliedRecords } from '../src/pipeline/unapplied.js';
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
    expect([error.topic, error.partition, error.stored, error.first]).toEqual(['t.events', 4, 7n, 10n]);
    expect(error.message).toContain('t.events partition 4');
    expect(error.message).toContain('offset is 7 but the batch begins at 10');
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

  it('applies the batch that begins at the stored offset, and moves the offset past it', async () => {
    const store = fakeStore({ [sessionKeys(prefix, topic, 0).offset]: '25' });
    const outcome = await applySessionBatch(deps(store), { topic, partition: 0, messages: [message(25), message(26)] });
    expect(outcome.applied).toBe(2);
    expect(store.batches).toHaveLength(1);
    expect(store.batches[0]?.commands).toContainEqual(['SET', sessionKeys(prefix, topic, 0).offset, '27']);
  });
});

/**
 * The erasures topic's records (src/erasure/marks-topic.ts) and which of them
 * go back into Redis, for how long (src/erasure/restore-plan.ts).
 */
import { describe, expect, it } from 'vitest';
import { markRecords, readMarkRecord } from '../../src/erasure/marks-topic.js';
import { planMarkerRestore } from '../../src/erasure/restore-plan.js';

const MARK_A = 'a'.repeat(64);
const MARK_B = '0123456789abcdef'.repeat(4);
const LIFE = 1_000_000;
const NOW = 50_000_000;

describe('the erasures topic\'s records', () => {
  it('are keyed by the mark, with the erasure time as the value, and read back', () => {
    const [record] = markRecords('t.erasures', [{ mark: MARK_A, erasedAt: NOW }]);
    expect(record).toEqual({ topic: 't.erasures', key: MARK_A, value: `{"erasedAt":${NOW}}` });
    expect(readMarkRecord(record!.key, record!.value)).toEqual({ mark: MARK_A, erasedAt: NOW });
  });

  it('read nothing from a tombstone, a key that is no mark, or a value without a time', () => {
    expect(readMarkRecord(MARK_A, null)).toBeNull();
    expect(readMarkRecord('u:alice', `{"erasedAt":${NOW}}`)).toBeNull();
    expect(readMarkRecord(MARK_A, 'not json')).toBeNull();
    expect(readMarkRecord(MARK_A, '{"erasedAt":"yesterday"}')).toBeNull();
    expect(readMarkRecord(MARK_A, '{"erasedAt":-5}')).toBeNull();
  });
});

describe('planMarkerRestore', () => {
  it('restores a marker in force with what is left of its life', () => {
    expect(planMarkerRestore([{ mark: MARK_A, erasedAt: NOW - 400_000 }], NOW, LIFE)).toEqual([{ mark: MARK_A, erasedAt: NOW - 400_000, ttlMs: 600_000 }]);
  });

  it('leaves out a marker past its life', () => {
    expect(planMarkerRestore([{ mark: MARK_A, erasedAt: NOW - LIFE }, { mark: MARK_B, erasedAt: NOW - LIFE - 1 }], NOW, LIFE)).toEqual([]);
  });

  it('takes the latest erasure of a mark erased twice, in whatever order the records come', () => {
    const twice = [
      { mark: MARK_A, erasedAt: NOW - 500_000 },
      { mark: MARK_B, erasedAt: NOW - 10 },
      { mark: MARK_A, erasedAt: NOW - 100_000 },
    ];
    const expected = [
      { mark: MARK_A, erasedAt: NOW - 100_000, ttlMs: 900_000 },
      { mark: MARK_B, erasedAt: NOW - 10, ttlMs: LIFE - 10 },
    ];
    expect(planMarkerRestore(twice, NOW, LIFE)).toEqual(expected);
    expect(planMarkerRestore([...twice].reverse(), NOW, LIFE)).toEqual(expect.arrayContaining(expected));
  });
});

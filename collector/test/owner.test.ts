/**
 * Which partition owns an id, and the hash tag Redis Cluster hashes a key by
 * (src/store/owner.ts): the owner is what kafkajs' own DefaultPartitioner
 * answers for the id as a record key, and the tag follows Redis' rule, held
 * against a port of Redis' keyHashSlot checked on the examples of Redis' docs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { deviceRef, userRef } from '@sessionflow/core';
import { hashTagOf, OwnerMismatchError, ownerPartition, partitionTag, topicOwners } from '../src/store/owner.js';

function metadata(count: number): PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1], offlineReplicas: [] }));
}

/** The partition kafkajs' DefaultPartitioner picks for a record keyed `key`. */
function kafkajsPartition(key: string, count: number): number {
  return Partitioners.DefaultPartitioner()({ topic: 'sf.events.by-user', partitionMetadata: metadata(count), message: { key, value: 'v' } });
}

/** Ids as producers key records with them: users' and devices' refs, anonymous ids, product ids, anything UTF-8. */
const recordKey = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).map(userRef),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).map(deviceRef),
  fc.uuid(),
  fc.string({ unit: 'binary', maxLength: 70 }).map((s) => Buffer.from(s, 'utf8').toString('utf8')),
);

/** CRC16/XMODEM, as Redis' crc16.c. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** Redis' keyHashSlot (cluster.c), over the key's bytes: the first `{`, the first `}` after it, an empty tag meaning none. */
function keyHashSlot(key: string): number {
  const bytes = Buffer.from(key, 'utf8');
  const s = bytes.indexOf(0x7b);
  if (s < 0) return crc16(bytes) & 0x3fff;
  const e = bytes.indexOf(0x7d, s + 1);
  if (e < 0 || e === s + 1) return crc16(bytes) & 0x3fff;
  return crc16(bytes.subarray(s + 1, e)) & 0x3fff;
}

/** The slot of exactly these bytes, no tag looked for: what Redis hashes once it found the tag. */
const slotOfBytes = (text: string) => crc16(Buffer.from(text, 'utf8')) & 0x3fff;

describe('ownerPartition', () => {
  it.each([1, 2, 3, 7, 12, 64])('picks the partition kafkajs DefaultPartitioner picks for the same record key (%i partitions)', (count) => {
    fc.assert(
      fc.property(recordKey, (key) => {
        expect(ownerPartition(key, count)).toBe(kafkajsPartition(key, count));
      }),
      { numRuns: 1000 },
    );
  });

  it('spreads refs over every partition', () => {
    const seen = new Set(Array.from({ length: 400 }, (_, i) => ownerPartition(userRef(`user-${i}`), 8)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('refuses a partition count that is not a positive integer', () => {
    for (const count of [0, -1, 1.5, Number.NaN]) expect(() => ownerPartition('k', count)).toThrow(RangeError);
  });
});

describe('hashTagOf', () => {
  it("answers the slot Redis' own examples give", () => {
    expect(keyHashSlot('somekey')).toBe(11058);
    expect(keyHashSlot('foo{hash_tag}')).toBe(2515);
    expect(keyHashSlot('bar{hash_tag}')).toBe(2515);
    expect(keyHashSlot('{user1}.following')).toBe(8106);
    expect(crc16(Buffer.from('123456789'))).toBe(0x31c3);
    for (const key of ['somekey', 'foo{hash_tag}', 'bar{hash_tag}', '{user1}.following']) expect(slotOfBytes(hashTagOf(key))).toBe(keyHashSlot(key));
  });

  it("follows Redis' rule: between the first { and the first } after it, unless empty", () => {
    expect(hashTagOf('{user1000}.following')).toBe('user1000');
    expect(hashTagOf('foo{}{bar}')).toBe('foo{}{bar}');
    expect(hashTagOf('foo{{bar}}zap')).toBe('{bar');
    expect(hashTagOf('foo{bar}{zap}')).toBe('bar');
    expect(hashTagOf('a}b{c}')).toBe('c');
    expect(hashTagOf('no tag')).toBe('no tag');
    expect(hashTagOf('open{only')).toBe('open{only');
    expect(hashTagOf(`sf:${partitionTag('sf.events.by-user', 7)}:profile:u:x`)).toBe('sf.events.by-user:7');
  });

  it('puts every key in the slot Redis puts it in', () => {
    const braced = fc.string({ unit: fc.oneof(fc.constantFrom('{', '}', '{}', ':', 'ü', '日'), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 })), maxLength: 24 });
    fc.assert(
      fc.property(braced, (key) => {
        expect(slotOfBytes(hashTagOf(key))).toBe(keyHashSlot(key));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('topicOwners', () => {
  it("answers each key's partition, each partition's tag, and every partition", () => {
    const owners = topicOwners('t.events', 5);
    expect(owners.all()).toEqual([0, 1, 2, 3, 4]);
    expect(owners.tag(3)).toBe('{t.events:3}');
    for (const key of ['anon-1', 'anon-2', 'u:x']) expect(owners.of(key)).toBe(kafkajsPartition(key, 5));
  });

  it('refuses a partition count or a partition out of range, naming the topic', () => {
    for (const count of [0, -2, 2.5]) expect(() => topicOwners('t.events', count)).toThrow(new RangeError(`t.events: a topic has at least one partition, got ${count}`));
    const owners = topicOwners('t.events', 3);
    for (const partition of [-1, 3, 1.5]) expect(() => owners.tag(partition)).toThrow(new RangeError(`t.events has partitions 0 to 2, not ${partition}`));
  });

  it('says what to do when a record reached a partition that does not own its key', () => {
    const error = new OwnerMismatchError('t.events', 1, 2, 4);
    expect(error.name).toBe('OwnerMismatchError');
    expect(error.message).toMatch(/t\.events.*partition 1.*4 partitions.*belongs to 2.*restart/);
  });
});

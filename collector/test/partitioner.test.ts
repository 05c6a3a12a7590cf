import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { Murmur2Partitioner } from '../src/kafka/partitioner.js';

function metadata(count: number): PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
    offlineReplicas: [],
  }));
}

function keys(): (string | Buffer)[] {
  const out: (string | Buffer)[] = ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'anon-0001', 'visitor:ü∂ß-日本', '🙂🙂🙂'];
  for (let i = 0; i < 2_000; i++) out.push(randomUUID().slice(0, 1 + (i % 36)));
  for (let i = 0; i < 200; i++) out.push(randomBytes(i % 70));
  return out;
}

describe('Murmur2Partitioner', () => {
  it.each([1, 2, 3, 7, 12, 64])('picks the same partition as kafkajs DefaultPartitioner for every key (%i partitions)', (count) => {
    const ours = Murmur2Partitioner();
    const theirs = Partitioners.DefaultPartitioner();
    const partitionMetadata = metadata(count);
    for (const key of keys()) {
      const args = { topic: 'sf.events', partitionMetadata, message: { key, value: 'v' } };
      expect(ours(args), `key ${String(key)}`).toBe(theirs(args));
    }
  });

  it('spreads keys over all partitions', () => {
    const partitioner = Murmur2Partitioner();
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) {
      seen.add(partitioner({ topic: 't', partitionMetadata: metadata(6), message: { key: `anon-${i}`, value: null } }));
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('honours an explicit partition and round-robins keyless messages over partitions with a leader', () => {
    const partitioner = Murmur2Partitioner();
    expect(partitioner({ topic: 't', partitionMetadata: metadata(3), message: { key: 'k', value: null, partition: 2 } })).toBe(2);
    const partitionMetadata = metadata(3).map((p) => (p.partitionId === 1 ? { ...p, leader: -1 } : p));
    const picked = new Set<number>();
    for (let i = 0; i < 10; i++) picked.add(partitioner({ topic: 't', partitionMetadata, message: { value: 'v' } }));
    expect([...picked].sort()).toEqual([0, 2]);
  });
});

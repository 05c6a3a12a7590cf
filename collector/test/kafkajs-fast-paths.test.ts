import { describe, expect, it } from 'vitest';
import type { Message, PartitionerArgs } from 'kafkajs';
import { groupMessagesPerPartition, kafkajsGroupMessagesPerPartition } from '../src/kafka/kafkajs-fast-paths.js';
import { Murmur2Partitioner } from '../src/kafka/partitioner.js';

describe('groupMessagesPerPartition', () => {
  const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1 })) as PartitionerArgs['partitionMetadata'];
  const messages: Message[] = Array.from({ length: 200 }, (_, i) => ({ key: `anon-${i % 17}-xxxxxxxx`, value: String(i) }));

  it('groups like kafkajs, keeping the order of messages within a partition', () => {
    const args = { topic: 'sf.events', partitionMetadata, messages, partitioner: Murmur2Partitioner() };
    const ours = groupMessagesPerPartition(args);
    expect(Object.keys(ours).length).toBeGreaterThan(1);
    expect(ours).toEqual(kafkajsGroupMessagesPerPartition(args));
  });

  it('returns nothing without partition metadata, like kafkajs', () => {
    const args = { topic: 'sf.events', partitionMetadata: [], messages, partitioner: Murmur2Partitioner() };
    expect(groupMessagesPerPartition(args)).toEqual(kafkajsGroupMessagesPerPartition(args));
  });
});

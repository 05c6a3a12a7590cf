import { describe, expect, it } from 'vitest';
import type { Message, PartitionMetadata, RecordMetadata } from 'kafkajs';
import { Murmur2Partitioner } from '../src/kafka/partitioner.js';
import { PinningPartitioner, sendBatchAcknowledged } from '../src/kafka/producer.js';

const partitions: PartitionMetadata[] = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));

describe('PinningPartitioner', () => {
  it('chooses as the murmur2 partitioner does, and writes the choice onto the message', () => {
    const pin = PinningPartitioner();
    const plain = Murmur2Partitioner();
    for (const key of ['anon-1', 'anon-2', 'user-42', 'ü']) {
      const message: Message = { key, value: 'v' };
      const chosen = pin({ topic: 't', partitionMetadata: partitions, message });
      expect(chosen).toBe(plain({ topic: 't', partitionMetadata: partitions, message: { key, value: 'v' } }));
      expect(message.partition).toBe(chosen);
    }
  });
});

/** A producer whose answers are scripted: each sendBatch call answers for the partitions the script gives, of those it was sent. */
function scriptedProducer(answers: number[][]) {
  const calls: { topic: string; messages: Message[] }[][] = [];
  const producer = {
    sendBatch: async ({ topicMessages }: { topicMessages: { topic: string; messages: Message[] }[] }): Promise<RecordMetadata[]> => {
      calls.push(topicMessages.map((t) => ({ topic: t.topic, messages: [...t.messages] })));
      const answerFor = answers[calls.length - 1] ?? [0, 1, 2];
      const sent = new Set(topicMessages.flatMap((t) => t.messages.map((m) => m.partition)));
      return answerFor.filter((p) => sent.has(p)).map((partition) => ({ topicName: 'events', partition, errorCode: 0, baseOffset: '0' }));
    },
  };
  return { producer, calls };
}

describe('sendBatchAcknowledged', () => {
  const batch = () => [
    {
      topic: 'events',
      messages: [
        { key: 'a', value: 'a1', partition: 0 },
        { key: 'b', value: 'b1', partition: 1 },
        { key: 'a', value: 'a2', partition: 0 },
        { key: 'c', value: 'c1', partition: 2 },
      ],
    },
  ];

  it('resolves after one send when Kafka answered for every partition', async () => {
    const { producer, calls } = scriptedProducer([[0, 1, 2]]);
    const left: string[][] = [];
    await sendBatchAcknowledged(producer, batch(), (p) => left.push(p));
    expect(calls).toHaveLength(1);
    expect(left).toEqual([]);
  });

  it('sends again, in order, only the records of a partition the answer left out (kafkajs#1303), until Kafka acknowledges them', async () => {
    const { producer, calls } = scriptedProducer([[1, 2], [], [0]]);
    const left: string[][] = [];
    const acknowledged = await sendBatchAcknowledged(producer, batch(), (p) => left.push(p));
    expect(calls).toHaveLength(3);
    expect(calls[1]).toEqual([{ topic: 'events', messages: [{ key: 'a', value: 'a1', partition: 0 }, { key: 'a', value: 'a2', partition: 0 }] }]);
    expect(calls[2]).toEqual(calls[1]);
    expect(left).toEqual([['events:0'], ['events:0']]);
    expect(acknowledged.map((r) => r.partition).sort()).toEqual([0, 1, 2]);
  });

  it('counts a partition answered with an error as not acknowledged', async () => {
    const calls: number[] = [];
    const producer = {
      sendBatch: async (): Promise<RecordMetadata[]> => {
        calls.push(calls.length);
        return calls.length === 1
          ? [{ topicName: 'events', partition: 0, errorCode: 19 }, { topicName: 'events', partition: 1, errorCode: 0 }, { topicName: 'events', partition: 2, errorCode: 0 }]
          : [{ topicName: 'events', partition: 0, errorCode: 0 }];
      },
    };
    await sendBatchAcknowledged(producer, batch());
    expect(calls).toHaveLength(2);
  });

  it('refuses to guess when a left-out record carries no partition', async () => {
    const { producer } = scriptedProducer([[]]);
    await expect(sendBatchAcknowledged(producer, [{ topic: 'events', messages: [{ key: 'a', value: 'a1' }] }])).rejects.toThrow('carry no partition');
  });
});

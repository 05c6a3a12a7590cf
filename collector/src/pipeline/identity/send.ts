/**
 * Sending keyed records through the pipeline's kafkajs producer (idempotent,
 * acks from all in-sync replicas, retries without end: ../../kafka/producer.ts).
 * One sendBatch per call keeps each partition's records in the order given.
 */
import type { Producer } from 'kafkajs';
import type { KeyedRecord } from './records.js';

export function producerSendRecords(producer: Producer): (records: readonly KeyedRecord[]) => Promise<void> {
  return async (records) => {
    if (records.length === 0) return;
    const byTopic = new Map<string, { key: string; value: string | null }[]>();
    for (const { topic, key, value } of records) {
      const messages = byTopic.get(topic) ?? [];
      messages.push({ key, value });
      byTopic.set(topic, messages);
    }
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  };
}

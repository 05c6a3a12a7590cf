/**
 * Sending keyed records through the pipeline's kafkajs producer (idempotent,
 * acks from all in-sync replicas, retries without end, every partition of a
 * send acknowledged: ../kafka/producer.ts).
 * A consumed batch can re-key to more bytes than the broker takes in one
 * request (`message.max.bytes`, 1 MiB by default: re-keyed records are larger,
 * and a login re-sends the session's prefix), so records go in requests of at
 * most SEND_LIMIT_BYTES, one after the other; with one request in flight that
 * keeps each partition's records in the order given.
 */
import type { Producer } from 'kafkajs';
import { sendBatchAcknowledged } from '../kafka/producer.js';
import type { KeyedRecord } from './identity/records.js';

/** Well under the broker's default 1 MiB, leaving room for the record batch's own overhead. */
export const SEND_LIMIT_BYTES = 512 * 1024;

export function producerSendRecords(producer: Producer): (records: readonly KeyedRecord[]) => Promise<void> {
  return async (records) => {
    for (const chunk of chunksOf(records, SEND_LIMIT_BYTES)) {
      const byTopic = new Map<string, { key: string; value: string | null }[]>();
      for (const { topic, key, value } of chunk) {
        const messages = byTopic.get(topic) ?? [];
        messages.push({ key, value });
        byTopic.set(topic, messages);
      }
      // Acknowledged for every partition it carried: kafkajs can resolve a send that left one out after a leader moved (../kafka/producer.ts).
      await sendBatchAcknowledged(producer, [...byTopic].map(([topic, messages]) => ({ topic, messages })));
    }
  };
}

/** Consecutive runs of `records` of at most `limitBytes` of keys and values each (a bigger record goes alone). */
export function chunksOf(records: readonly KeyedRecord[], limitBytes: number): KeyedRecord[][] {
  const chunks: KeyedRecord[][] = [];
  let current: KeyedRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = Buffer.byteLength(record.key) + (record.value === null ? 0 : Buffer.byteLength(record.value));
    if (current.length > 0 && bytes + size > limitBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * The same sends, one at a time in call order. A stage applies several
 * partitions at once, but kafkajs' idempotent producer numbers a partition's
 * records when it builds a request and counts them only once it is
 * acknowledged, so two requests in flight would reuse sequence numbers (and a
 * retry could overtake the request after it). Each partition's own batches are
 * one after another anyway, so its records keep their order.
 */
export function oneAtATime<T extends readonly unknown[]>(send: (...args: T) => Promise<void>): (...args: T) => Promise<void> {
  let tail: Promise<unknown> = Promise.resolve();
  return (...args) => {
    const next = tail.then(() => send(...args));
    tail = next.catch(() => undefined);
    return next;
  };
}

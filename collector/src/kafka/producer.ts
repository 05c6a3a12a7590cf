/**
 * The idempotent producer and the `send` the batcher uses: acks from all
 * in-sync replicas, one request in flight (what kafkajs 2.2.4 needs for
 * idempotence), and retries without end, since giving up on an idempotent
 * producer can let the next batch reuse sequence numbers of one the broker
 * already wrote. Requests that wait too long are answered 503 by the route;
 * the send itself goes on until Kafka takes it.
 */
import type { Kafka, Producer } from 'kafkajs';
import type { SendBatch } from '../ingest/batcher.js';
import type { CollectorMetrics } from '../metrics.js';
import { Murmur2Partitioner } from './partitioner.js';

export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // murmur2 of the key, like the Java client, so Kafka tools agree on partitions.
    createPartitioner: Murmur2Partitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2_000 },
  });
}

export function producerSend(producer: Producer): SendBatch {
  return (topicMessages) => producer.sendBatch({ topicMessages, acks: -1 });
}

/** What the collector needs of its producer, wherever it runs (this thread or its own). */
export interface ProducerHandle {
  send: SendBatch;
  alive(): boolean;
  close(): Promise<void>;
}

/** The producer on the main thread: simpler to debug, slower under load (COLLECTOR_PRODUCER_THREAD=false). */
export async function startInlineProducer(kafka: Kafka): Promise<ProducerHandle> {
  const producer = createProducer(kafka);
  await producer.connect();
  let alive = true;
  return {
    send: producerSend(producer),
    alive: () => alive,
    close: async () => {
      alive = false;
      await producer.disconnect();
    },
  };
}

/** Adds the produce latency and batch size metrics around any `send`. */
export function measuredSend(send: SendBatch, metrics: CollectorMetrics): SendBatch {
  return async (topicMessages) => {
    let records = 0;
    for (const { messages } of topicMessages) records += messages.length;
    metrics.produceBatchRecords.observe(records);
    const stop = metrics.produceDuration.startTimer();
    try {
      const result = await send(topicMessages);
      stop({ result: 'ok' });
      return result;
    } catch (error) {
      stop({ result: 'error' });
      throw error;
    }
  };
}

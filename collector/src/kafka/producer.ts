/**
 * The idempotent producer and the `send` the batcher uses: acks from all
 * in-sync replicas, one request in flight (what kafkajs 2.2.4 needs for
 * idempotence), and retries without end, since giving up on an idempotent
 * producer can let the next batch reuse sequence numbers of one the broker
 * already wrote. Requests that wait too long are answered 503 by the route;
 * the send itself goes on until Kafka takes it.
 */
import type { ICustomPartitioner, Kafka, Producer, RecordMetadata } from 'kafkajs';
import type { SendBatch } from '../ingest/batcher.js';
import type { CollectorMetrics } from '../metrics.js';
import { Murmur2Partitioner } from './partitioner.js';

export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // murmur2 of the key, like the Java client, so Kafka tools agree on partitions; pinned on the message (below).
    createPartitioner: PinningPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2_000 },
  });
}

export function producerSend(producer: Producer): SendBatch {
  return (topicMessages) => sendBatchAcknowledged(producer, topicMessages);
}

/**
 * The murmur2 partitioner, writing the partition it chose onto the message: a
 * retry then goes to the same partition, and `sendBatchAcknowledged` can tell
 * which partitions a send's records went to.
 */
export const PinningPartitioner: ICustomPartitioner = () => {
  const choose = Murmur2Partitioner();
  return (args) => {
    const partition = choose(args);
    args.message.partition = partition;
    return partition;
  };
};

type SendableTopicMessages = { topic: string; messages: { key?: string | Buffer | null; value: string | Buffer | null; partition?: number }[] };

/** Called with the partitions a resolved `sendBatch` left out, before they are sent again. */
export type OnUnacknowledged = (partitions: string[]) => void;

/**
 * `sendBatch`, resolved only once Kafka acknowledged a record of every
 * partition it carried. kafkajs 2.2.4 can resolve a `sendBatch` without
 * writing some of it (tulios/kafkajs#1303): its retry keeps the answers of
 * brokers that took their part, and when the leader of a failed partition
 * moves to one of those brokers, that partition is never sent again. Its
 * result then lacks the partition; so its records go again, pinned to their
 * partition, with the sequence numbers kafkajs rolled back for them (a
 * broker that did write them the first time answers the resend as a duplicate,
 * without writing it twice).
 */
export async function sendBatchAcknowledged(
  producer: Pick<Producer, 'sendBatch'>,
  topicMessages: readonly SendableTopicMessages[],
  onUnacknowledged: OnUnacknowledged = () => {},
): Promise<RecordMetadata[]> {
  let pending = topicMessages;
  const acknowledged: RecordMetadata[] = [];
  for (;;) {
    const results = await producer.sendBatch({ topicMessages: pending.map((t) => ({ topic: t.topic, messages: t.messages })), acks: -1 });
    acknowledged.push(...results);
    const taken = new Set(results.filter((r) => r.errorCode === 0).map((r) => `${r.topicName}:${r.partition}`));
    const left = pending
      .map(({ topic, messages }) => ({ topic, messages: messages.filter((m) => !taken.has(`${topic}:${m.partition}`)) }))
      .filter(({ messages }) => messages.length > 0);
    if (left.length === 0) return acknowledged;
    const partitions = [...new Set(left.flatMap(({ topic, messages }) => messages.map((m) => `${topic}:${m.partition}`)))];
    if (left.some(({ messages }) => messages.some((m) => m.partition === undefined))) {
      // Only a partitioner that pins the partition lets a send tell which records are missing.
      throw new Error(`Kafka's answer left out ${partitions.join(', ')}, and the records carry no partition to send them again by`);
    }
    onUnacknowledged(partitions);
    pending = left;
  }
}

/** What the collector needs of its producer, wherever it runs (this thread or its own). */
export interface ProducerHandle {
  send: SendBatch;
  alive(): boolean;
  close(): Promise<void>;
}

/** The producer on the main thread: simpler to debug, slower under load (COLLECTOR_PRODUCER_THREAD=false). */
export async function startInlineProducer(kafka: Kafka, onUnacknowledged?: OnUnacknowledged): Promise<ProducerHandle> {
  const producer = createProducer(kafka);
  await producer.connect();
  let alive = true;
  return {
    send: (topicMessages) => sendBatchAcknowledged(producer, topicMessages, onUnacknowledged),
    alive: () => alive,
    close: async () => {
      alive = false;
      await producer.disconnect();
    },
  };
}

/** Adds the produce latency (all time and recent) and batch size metrics around any `send`. */
export function measuredSend(send: SendBatch, metrics: CollectorMetrics): SendBatch {
  return async (topicMessages) => {
    let records = 0;
    for (const { messages } of topicMessages) records += messages.length;
    metrics.produceBatchRecords.observe(records);
    const stop = metrics.produceDuration.startTimer();
    const stopRecent = metrics.produceRecent.startTimer();
    try {
      const result = await send(topicMessages);
      stop({ result: 'ok' });
      return result;
    } catch (error) {
      stop({ result: 'error' });
      throw error;
    } finally {
      // Failed sends too: a Kafka that refuses is as slow for ingest as one that takes its time.
      stopRecent();
    }
  };
}

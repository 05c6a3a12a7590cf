/**
 * Reads a topic from the beginning into memory with a throwaway consumer
 * group, so a test can wait for the records it expects (and see their order).
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';

export interface ReadRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string;
}

export class TopicReader {
  readonly records: ReadRecord[] = [];
  private consumer: Consumer;

  private constructor(consumer: Consumer) {
    this.consumer = consumer;
  }

  static async open(brokers: string[], topic: string): Promise<TopicReader> {
    const kafka = new Kafka({ clientId: 'sessionflow-e2e', brokers, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `e2e-${randomUUID()}`, maxWaitTimeInMs: 100 });
    const reader = new TopicReader(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let joined!: () => void;
    const hasJoined = new Promise<void>((resolve) => (joined = resolve));
    const off = consumer.on(consumer.events.GROUP_JOIN, () => joined());
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        reader.records.push({
          partition,
          offset: Number(message.offset),
          key: message.key?.toString('utf8') ?? null,
          value: message.value?.toString('utf8') ?? '',
        });
      },
    });
    await hasJoined;
    off();
    return reader;
  }

  /** Resolves with the records once `done(records)` holds; fails with what was seen after `timeoutMs`. */
  async waitFor<T>(select: (records: ReadRecord[]) => T | undefined, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = select(this.records);
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new Error(`not found in ${timeoutMs} ms; ${this.records.length} records seen:\n${this.records.map((r) => r.value).join('\n').slice(0, 4000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
  }
}

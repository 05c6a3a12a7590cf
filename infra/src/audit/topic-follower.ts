/**
 * Reads a topic from its earliest offsets with a consumer group of its own
 * (nothing committed: every follower reads from the start), and says when it
 * has read up to the ends the topic has now. It keeps following, so a caller
 * waiting for records still on their way asks again later.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';

export class TopicFollower {
  /** Partition → the next offset to read. */
  private readonly next = new Map<number, bigint>();

  private constructor(
    private readonly topic: string,
    private readonly admin: Admin,
    private readonly consumer: Consumer,
  ) {}

  /** Starts reading `topic` from the beginning; `onRecord` gets every value, with its record timestamp (epoch ms), in partition order. */
  static async start(kafka: Kafka, topic: string, onRecord: (value: string | null, timestamp: number) => void): Promise<TopicFollower> {
    const admin = kafka.admin();
    const consumer = kafka.consumer({ groupId: `sessionflow-audit-${randomUUID()}`, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
    const follower = new TopicFollower(topic, admin, consumer);
    await admin.connect();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) onRecord(message.value === null ? null : message.value.toString('utf8'), Number(message.timestamp));
        const last = batch.messages.at(-1);
        if (last !== undefined) follower.next.set(batch.partition, BigInt(last.offset) + 1n);
      },
    });
    return follower;
  }

  /** Resolves once every partition is read up to the end it has now; rejects after `timeoutMs` naming the partitions behind. */
  async readToEnd(timeoutMs: number): Promise<void> {
    const ends = await this.admin.fetchTopicOffsets(this.topic);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const behind = ends.filter((p) => BigInt(p.high) > BigInt(p.low) && (this.next.get(p.partition) ?? BigInt(p.low)) < BigInt(p.high));
      if (behind.length === 0) return;
      if (Date.now() > deadline) {
        const where = behind.map((p) => `${p.partition} at ${this.next.get(p.partition) ?? 'nothing read'} of ${p.high}`).join(', ');
        throw new Error(`${this.topic}: not read to its end within ${timeoutMs} ms (partition ${where})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => {});
    await this.admin.disconnect().catch(() => {});
  }
}

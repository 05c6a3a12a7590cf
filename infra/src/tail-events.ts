/**
 * `npm run tail:events`: prints each event as it lands in sf.events, one line
 * each, so a newcomer can watch the loop work. Ctrl-C to stop.
 */
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:29092').split(',');
const topic = `${process.env.TOPIC_PREFIX ?? 'sf'}.events`;
const fromBeginning = process.argv.includes('--from-beginning');

// kafkajs retries on its own while a fresh broker creates its offsets topic;
// its transient errors would only alarm a newcomer, so it stays quiet and a
// failure that sticks ends the tail with a message below.
const kafka = new Kafka({ clientId: 'sessionflow-tail', brokers, logLevel: logLevel.NOTHING });
// A throwaway group: tailing must not move anyone's committed offsets.
const consumer = kafka.consumer({ groupId: `sessionflow-tail-${randomUUID()}` });

consumer.on(consumer.events.CRASH, ({ payload }) => {
  if (payload.restart) return; // kafkajs starts the consumer again by itself
  console.error(`tail stopped: ${payload.error.message}`);
  process.exit(1);
});
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning });
console.log(`tailing ${topic} on ${brokers.join(',')}${fromBeginning ? ' from the beginning' : ''}; Ctrl-C to stop`);
await consumer.run({
  eachMessage: async ({ partition, message }) => {
    const event = JSON.parse(message.value?.toString('utf8') ?? '{}') as Record<string, unknown>;
    const detail = (event.product as { id?: string } | undefined)?.id ?? (event.name as string | undefined) ?? '';
    console.log(`p${partition}@${message.offset} ${String(event.type).padEnd(10)} anon=${String(event.anonymousId)} session=${String(event.sessionId)} ${detail}`);
  },
});

const stop = async (): Promise<void> => {
  await consumer.disconnect();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

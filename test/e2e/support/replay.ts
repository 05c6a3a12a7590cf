/**
 * A replay of the pipeline: a second, empty redis-server and a pipeline
 * process of a fresh consumer group, reading every topic from its earliest
 * offset, logging beside the stack's own parts (so a sweep of the stack's logs
 * reads it too).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createClient } from 'redis';
import { stageOffsetKeys } from '@sessionflow/collector';
import { freePort, startPipelineProcess, startRedis, type HttpService, type RedisServer } from '@sessionflow/infra';
import type { TestStack } from './stack.js';

export interface Replay {
  redisUrl: string;
  /** True once every stage stored, for every partition of every topic it reads, the topic's end. */
  caughtUp(): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startReplay(stack: TestStack): Promise<Replay> {
  const redis: RedisServer = await startRedis({ dir: path.join(stack.dir, 'replay-redis'), port: await freePort() });
  let pipeline: HttpService;
  try {
    pipeline = await startPipelineProcess({
      port: await freePort(),
      brokers: stack.kafkaBrokers,
      redisUrl: redis.url,
      erasureSecret: stack.secrets.erasure,
      topicPrefix: stack.topicPrefix,
      logFile: path.join(stack.dir, 'logs', 'pipeline-replay.log'),
      env: { PIPELINE_GROUP: `replay-${randomUUID()}` },
    });
  } catch (error) {
    await redis.stop();
    throw error;
  }
  const admin = new Kafka({ clientId: 'sessionflow-e2e-replay', brokers: stack.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
  const store = createClient({ url: redis.url });
  await Promise.all([admin.connect(), store.connect()]);
  const offsets = stageOffsetKeys(stack.topicPrefix);
  const p = stack.topicPrefix;
  const reads: [keyof typeof offsets, string][] = [
    ['identity', `${p}.events`],
    ['sessions', `${p}.events`],
    ['aggregates', `${p}.events.by-user`],
    ['aggregates', `${p}.products`],
    ['aggregates', `${p}.inventory`],
  ];
  return {
    redisUrl: redis.url,
    async caughtUp() {
      for (const [stage, topic] of reads) {
        for (const { partition, low, high } of await admin.fetchTopicOffsets(topic)) {
          if (high !== low && (await store.get(offsets[stage](topic, partition))) !== high) return false;
        }
      }
      return true;
    },
    async stop() {
      await Promise.allSettled([admin.disconnect(), store.close()]);
      await pipeline.stop();
      await redis.stop();
    },
  };
}

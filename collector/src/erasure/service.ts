/**
 * The collector's erasure service: its own idempotent producer for the
 * markers and tombstones (the ingest batcher carries only values), a Redis
 * connection of its own per erasure (WATCH belongs to the connection, and the
 * read routes share theirs; erasures are rare, the extra connection is cheap),
 * the edge's admin endpoint when EDGE_URL is set, and a Kafka admin client to
 * learn the partitions of the events topic (the sessions stage keeps an open
 * and a due index per partition).
 */
import type { Kafka } from 'kafkajs';
import { userRef, type Topics } from '@sessionflow/core';
import { createProducer } from '../kafka/producer.js';
import type { StoreClient } from '../store/client.js';
import { identityKeys } from '../store/identity-keys.js';
import { storeKeys } from '../store/keys.js';
import { sessionKeys } from '../pipeline/sessions/keys.js';
import { producerSendRecords } from '../pipeline/send.js';
import { eraseUser, type ErasureResult } from './erase-user.js';
import { edgeEraser } from './edge.js';
import { erasureMarks, type ErasureMarks } from './marks.js';

export interface ErasureService {
  erase(userId: string): Promise<ErasureResult>;
  /** The user's mark, as the erasure's answer and log name it. */
  markOf(userId: string): string;
  close(): Promise<void>;
}

export interface ErasureServiceSettings {
  topicPrefix: string;
  erasureSecret: string;
  /** How long a marker is in force (kafka/topic-bounds.ts, erasureMarkerLifeMs). */
  markerLifeMs: number;
  /** The keys of the configured experiments, whose unit hashes hold the person's entries. */
  experiments: readonly string[];
  edgeUrl: string | undefined;
  edgeAdminSecret: string | undefined;
}

export async function startErasureService(kafka: Kafka, redis: StoreClient, topics: Pick<Topics, 'events' | 'identity' | 'profiles' | 'sessions' | 'erasures'>, settings: ErasureServiceSettings): Promise<ErasureService> {
  const producer = createProducer(kafka);
  const admin = kafka.admin();
  await producer.connect();
  try {
    await admin.connect();
  } catch (error) {
    await producer.disconnect().catch(() => undefined);
    throw error;
  }
  const send = producerSendRecords(producer);
  const keys = storeKeys(settings.topicPrefix);
  const idKeys = identityKeys(settings.topicPrefix);
  const sesKeys = sessionKeys(settings.topicPrefix);
  const marks: ErasureMarks = erasureMarks(settings.topicPrefix, settings.erasureSecret);
  const edge = settings.edgeUrl !== undefined && settings.edgeAdminSecret !== undefined ? edgeEraser({ edgeUrl: settings.edgeUrl, secret: settings.edgeAdminSecret }) : undefined;
  const sessionIndexes = async (): Promise<string[]> => {
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [topics.events] })).topics;
    return (metadata?.partitions ?? []).flatMap(({ partitionId }) => [sesKeys.open(topics.events, partitionId), sesKeys.due(topics.events, partitionId)]);
  };
  return {
    async erase(userId) {
      const own = redis.duplicate();
      await own.connect();
      try {
        return await eraseUser(
          { redis: own, keys, identityKeys: idKeys, sessionKeys: sesKeys, marks, experiments: settings.experiments, sessionIndexes, topics, send, edge, markerLifeMs: settings.markerLifeMs, clock: Date.now },
          userId,
        );
      } finally {
        await own.close().catch(() => own.destroy());
      }
    },
    markOf: (userId) => marks.mark(userRef(userId)),
    close: async () => {
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    },
  };
}

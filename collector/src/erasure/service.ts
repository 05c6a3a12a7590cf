/**
 * The collector's erasure service: its own idempotent producer for the
 * markers and tombstones (the ingest batcher carries only values), a Redis
 * connection of its own per erasure (the read routes share theirs; erasures
 * are rare, the extra connection is cheap), and the edge's admin endpoint
 * when EDGE_URL is set. Where the person's state lives follows from the
 * topics' partitions (../store/layout.ts).
 */
import type { Kafka } from 'kafkajs';
import { userRef } from '@sessionflow/core';
import { createProducer } from '../kafka/producer.js';
import type { StoreClient } from '../store/client.js';
import type { StateLayout } from '../store/layout.js';
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

export async function startErasureService(kafka: Kafka, redis: StoreClient, layout: StateLayout, settings: ErasureServiceSettings): Promise<ErasureService> {
  const producer = createProducer(kafka);
  await producer.connect();
  const send = producerSendRecords(producer);
  const { topics } = layout;
  const marks: ErasureMarks = erasureMarks(settings.topicPrefix, settings.erasureSecret);
  const edge = settings.edgeUrl !== undefined && settings.edgeAdminSecret !== undefined ? edgeEraser({ edgeUrl: settings.edgeUrl, secret: settings.edgeAdminSecret }) : undefined;
  return {
    async erase(userId) {
      const own = redis.duplicate();
      await own.connect();
      try {
        return await eraseUser(
          { redis: own, layout, marks, experiments: settings.experiments, topics, send, edge, markerLifeMs: settings.markerLifeMs, clock: Date.now },
          userId,
        );
      } finally {
        await own.close().catch(() => own.destroy());
      }
    },
    markOf: (userId) => marks.mark(userRef(userId)),
    close: async () => {
      await producer.disconnect();
    },
  };
}

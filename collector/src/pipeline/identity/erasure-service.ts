/**
 * The collector's erasure service: its own idempotent producer for the
 * tombstones (the ingest batcher carries only values), and a Redis connection
 * of its own per erasure, since WATCH belongs to the connection and the read
 * routes share theirs. Erasures are rare; the extra connection is cheap.
 */
import type { Kafka } from 'kafkajs';
import type { Topics } from '@sessionflow/core';
import { createProducer } from '../../kafka/producer.js';
import type { StoreClient } from '../../store/client.js';
import { identityKeys } from '../../store/identity-keys.js';
import { storeKeys } from '../../store/keys.js';
import { sessionKeys } from '../sessions/keys.js';
import { eraseUser, type ErasureResult } from './erasure.js';
import { producerSendRecords } from '../send.js';

export interface ErasureService {
  erase(userId: string, nowMs: number): Promise<ErasureResult>;
  close(): Promise<void>;
}

/** `experiments`: the keys of the configured experiments, whose unit hashes hold the person's entries. */
export async function startErasureService(kafka: Kafka, redis: StoreClient, topics: Pick<Topics, 'identity' | 'profiles' | 'sessions'>, topicPrefix: string, experiments: readonly string[]): Promise<ErasureService> {
  const producer = createProducer(kafka);
  await producer.connect();
  const send = producerSendRecords(producer);
  const keys = storeKeys(topicPrefix);
  const idKeys = identityKeys(topicPrefix);
  const sesKeys = sessionKeys(topicPrefix);
  return {
    async erase(userId, nowMs) {
      const own = redis.duplicate();
      await own.connect();
      try {
        return await eraseUser({ redis: own, keys, identityKeys: idKeys, sessionKeys: sesKeys, experiments, topics, send }, userId, nowMs);
      } finally {
        await own.close().catch(() => own.destroy());
      }
    },
    close: () => producer.disconnect(),
  };
}

/**
 * vitest's globalSetup of `npm run test:cluster`: one local 3-node KRaft Kafka
 * (replication factor 3, min.insync.replicas 2, 256m of heap each) and one
 * Redis Cluster (3 masters, a replica each) for the whole run, provided to
 * every file (shared-cluster.ts); stopped by their handles once the last file
 * ran. Each file keeps to its own topic and key prefix, so they can share.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startKafkaCluster, startRedisCluster, type KafkaCluster, type RedisCluster } from '@sessionflow/infra';
import type { TestProject } from 'vitest/node';
import { SHARED_CLUSTER } from './shared-cluster.js';

const MIN_INSYNC_REPLICAS = 2;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sf-collector-cluster-'));
  const [kafka, redis] = await Promise.allSettled([
    startKafkaCluster({ dir: path.join(dir, 'kafka'), brokers: 3, minInsyncReplicas: MIN_INSYNC_REPLICAS, heap: '256m' }),
    startRedisCluster({ dir: path.join(dir, 'redis'), masters: 3, replicasPerMaster: 1 }),
  ]);
  const stop = async (): Promise<void> => {
    // Each by its own handle, even when the other failed to stop.
    await Promise.allSettled([kafka.status === 'fulfilled' ? kafka.value.stop() : undefined, redis.status === 'fulfilled' ? redis.value.stop() : undefined]);
    rmSync(dir, { recursive: true, force: true });
  };
  if (kafka.status === 'rejected' || redis.status === 'rejected') {
    await stop();
    throw kafka.status === 'rejected' ? kafka.reason : (redis as PromiseRejectedResult).reason;
  }
  const kafkaCluster: KafkaCluster = kafka.value;
  const redisCluster: RedisCluster = redis.value;
  project.provide(SHARED_CLUSTER, {
    kafkaBrokers: kafkaCluster.brokers,
    redisUrl: redisCluster.url,
    redisNodes: redisCluster.nodes.map((node) => node.url),
    replicationFactor: kafkaCluster.nodes.length,
    minInsyncReplicas: MIN_INSYNC_REPLICAS,
  });
  return stop;
}

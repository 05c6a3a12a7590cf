/**
 * The Kafka cluster and Redis Cluster one run of `npm run test:cluster` shares
 * between its files: cluster-setup.ts starts them once and provides this; in
 * a file, support.ts injects it (absent in `npm run test:integration`, where
 * the run shares one broker, SHARED_BROKER below, and each file starts its own
 * redis-server).
 */
import type { SharedBroker } from '@sessionflow/infra';

export interface SharedCluster {
  /** host:port of every Kafka node (3 KRaft nodes, replication factor 3, min.insync.replicas 2). */
  kafkaBrokers: string[];
  /** What REDIS_URL takes: the comma-separated redis:// URLs of every node of the Redis Cluster. */
  redisUrl: string;
  /** The same URLs, one per node: the root nodes of node-redis' createCluster. */
  redisNodes: string[];
  /** What the collector and the pipeline create topics with on this Kafka. */
  replicationFactor: number;
  minInsyncReplicas: number;
}

/** The key under which cluster-setup.ts provides it. */
export const SHARED_CLUSTER = 'sessionflowCluster';

/** The key under which broker-setup.ts provides the single broker one run of `npm run test:integration` shares between its files. */
export const SHARED_BROKER = 'sessionflowBroker';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Undefined unless the run's globalSetup is cluster-setup.ts. */
    sessionflowCluster: SharedCluster | undefined;
    /** Undefined unless the run's globalSetup is broker-setup.ts. */
    sessionflowBroker: SharedBroker | undefined;
  }
}

/**
 * The Kafka cluster and Redis Cluster one run of `npm run test:cluster` shares
 * between its files: cluster-setup.ts starts them once and provides this; in
 * a file, support.ts injects it (absent in `npm run test:integration`, where
 * each file starts its own broker and redis-server).
 */
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

/** The single broker one run of `npm run test:integration` shares between its files (broker-setup.ts). */
export interface SharedBroker {
  kafkaBrokers: string[];
}

/** The key under which broker-setup.ts provides it. */
export const SHARED_BROKER = 'sessionflowBroker';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Undefined unless the run's globalSetup is cluster-setup.ts. */
    sessionflowCluster: SharedCluster | undefined;
    /** Undefined unless the run's globalSetup is broker-setup.ts. */
    sessionflowBroker: SharedBroker | undefined;
  }
}

import { defineConfig } from 'vitest/config';

// The integration tests the issue names, on one local cluster for the whole run: a 3-node KRaft Kafka (replication
// factor 3, min.insync.replicas 2) and a Redis Cluster (3 masters, a replica each), started by the globalSetup and
// shared by every file (each keeps to its own topic and key prefix). One file at a time, as in test:integration.
export default defineConfig({
  test: {
    include: [
      'test/integration/identity.test.ts', // two devices → one profile
      'test/integration/erasure.test.ts', // erasure everywhere, and a replay that brings nothing back
      'test/integration/sessions.test.ts', // idle sessions close
      'test/integration/pipeline.test.ts', // restart from stored offsets, duplicates once, out-of-stock never recommended
      'test/integration/no-silent-loss.test.ts', // a failed batch keeps its stored offset and applies exactly once later
      'test/integration/recs.test.ts', // out-of-stock never recommended, session recs
      'test/integration/aggregates.test.ts', // experiment counts, funnel buckets
      'test/integration/scale-out.test.ts', // one of two pipelines SIGKILLed, a replacement joins: equal to the single node's run
      'test/integration/degradation.test.ts', // the pipeline's level from its lag, published to its one key, read by /v1/degradation
    ],
    globalSetup: ['test/integration/cluster-setup.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 180_000,
  },
});

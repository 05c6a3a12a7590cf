import { defineConfig } from 'vitest/config';

// Each file starts its own stack of real parts (Redis, collector, pipeline,
// workerd, Chromium) on free ports, on the run's one Kafka broker
// (e2e/support/broker-setup.ts); running them one at a time keeps a 2-core
// machine from timing itself out.
export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts'],
    globalSetup: ['e2e/support/broker-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
